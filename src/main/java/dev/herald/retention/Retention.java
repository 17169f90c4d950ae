package dev.herald.retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.audience.Criteria;
import dev.herald.campaign.Action;
import dev.herald.campaign.Campaign;
import dev.herald.campaign.CampaignRepository;
import dev.herald.campaign.Limits;
import dev.herald.delivery.DeliveryStore;
import dev.herald.event.EventStore;
import dev.herald.platform.DatabaseOutage;
import dev.herald.platform.Ids;
import dev.herald.platform.Sql;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Removes history in the background: finished deliveries with their attempts after
 * {@code herald.retention.deliveries}, events after {@code herald.retention.events}. Rows go in
 * small batches, oldest first through the primary key (ids are time-ordered), so no statement
 * holds locks for long and the hot paths never wait on it. What a campaign that is not FINISHED
 * still needs is kept: events of a name its criteria count within a longer {@code within}, for
 * that long, and the entries a per-user cap longer than the retention (or for ever) counts.
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);

    /** What one pass removed. */
    public record Removed(long deliveries, long events) {
    }

    private final DeliveryStore deliveries;
    private final EventStore events;
    private final CampaignRepository campaigns;
    private final RetentionConfig config;
    private final Clock clock;
    private final Counter deliveriesRemoved;
    private final Counter eventsRemoved;

    public Retention(DeliveryStore deliveries, EventStore events, CampaignRepository campaigns,
            RetentionConfig config, Clock clock, MeterRegistry registry) {
        this.deliveries = deliveries;
        this.events = events;
        this.campaigns = campaigns;
        this.config = config;
        this.clock = clock;
        this.deliveriesRemoved = removed(registry, "deliveries");
        this.eventsRemoved = removed(registry, "events");
    }

    private static Counter removed(MeterRegistry registry, String table) {
        return Counter.builder("herald.retention.removed")
                .description("Rows removed by retention: finished deliveries (their attempts go with them) and events")
                .tag("table", table).register(registry);
    }

    @Scheduled(every = "${herald.retention.interval:10m}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return pass().replaceWithVoid()
                .onFailure().recoverWithUni(failure -> {
                    DatabaseOutage.warn(LOG, "removing old history", failure);
                    return Uni.createFrom().voidItem();
                });
    }

    /** One pass over both tables, up to {@code herald.retention.max-per-pass} rows each. */
    public Uni<Removed> pass() {
        Instant now = Sql.millis(clock.instant());
        return campaigns.findUnfinished()
                .chain(live -> removeDeliveries(live, now)
                        .chain(d -> removeEvents(live, now).map(e -> new Removed(d, e)))).invoke(removed -> {
            deliveriesRemoved.increment(removed.deliveries());
            eventsRemoved.increment(removed.events());
            if (removed.deliveries() + removed.events() > 0) {
                LOG.infof("Retention removed %d finished deliveries and %d events", removed.deliveries(),
                        removed.events());
            }
        });
    }

    private Uni<Long> removeDeliveries(List<Campaign> live, Instant now) {
        Instant before = now.minus(config.deliveries());
        List<UUID> capped = cappedBeyond(live, config.deliveries());
        return inBatches(limit -> deliveries.deleteFinished(before, Ids.upTo(before), capped, limit));
    }

    /** Events of every name past the setting, then those of each longer-counted name past its own {@code within}. */
    private Uni<Long> removeEvents(List<Campaign> live, Instant now) {
        Map<String, Duration> counted = countedLonger(live, config.events());
        return removeEvents(null, now.minus(config.events()), List.copyOf(counted.keySet()))
                .chain(removed -> Multi.createFrom().iterable(counted.entrySet())
                        .onItem().transformToUniAndConcatenate(named -> removeEvents(named.getKey(),
                                now.minus(named.getValue()), List.of()))
                        .collect().with(Collectors.summingLong(Long::longValue))
                        .map(more -> removed + more));
    }

    private Uni<Long> removeEvents(String name, Instant before, List<String> except) {
        return inBatches(limit -> events.deleteBefore(before, Ids.upTo(before), name, except, limit));
    }

    /**
     * The events that live campaigns count over a longer {@code within} than {@code retention}, by
     * name, with the longest such {@code within}: they are kept that long. An "ever" count (no
     * {@code within}) counts what retention keeps.
     */
    static Map<String, Duration> countedLonger(List<Campaign> live, Duration retention) {
        Map<String, Duration> longest = new TreeMap<>();
        for (Campaign campaign : live) {
            List<Criteria> trees = new ArrayList<>();
            trees.add(campaign.audience().criteria());
            campaign.actions().stream().map(Action::parsed).map(Action.Parsed::condition).forEach(trees::add);
            trees.forEach(tree -> collectWithin(tree, longest));
        }
        longest.values().removeIf(within -> within.compareTo(retention) <= 0);
        return longest;
    }

    /** Live campaigns whose per-user cap counts entries for longer than {@code retention}, or for ever. */
    static List<UUID> cappedBeyond(List<Campaign> live, Duration retention) {
        return live.stream().filter(campaign -> {
            Limits.PerUser cap = campaign.limits().perUser();
            return cap != null && (cap.window() == null || cap.window().compareTo(retention) > 0);
        }).map(Campaign::id).toList();
    }

    private static void collectWithin(Criteria criteria, Map<String, Duration> longest) {
        if (criteria instanceof Criteria.All all) {
            all.parts().forEach(part -> collectWithin(part, longest));
        } else if (criteria instanceof Criteria.Any any) {
            any.parts().forEach(part -> collectWithin(part, longest));
        } else if (criteria instanceof Criteria.Not not) {
            collectWithin(not.part(), longest);
        } else if (criteria instanceof Criteria.EventCount count && count.within() != null) {
            longest.merge(count.event(), count.within(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
    }

    /** Runs {@code batch} until it removes less than a full batch or the pass has removed its most. */
    private Uni<Long> inBatches(Function<Integer, Uni<Integer>> batch) {
        return inBatches(batch, 0);
    }

    private Uni<Long> inBatches(Function<Integer, Uni<Integer>> batch, long sofar) {
        int limit = config.batchSize();
        return batch.apply(limit).chain(removed -> removed < limit || sofar + removed >= config.maxPerPass()
                ? Uni.createFrom().item(sofar + removed)
                : inBatches(batch, sofar + removed));
    }
}
