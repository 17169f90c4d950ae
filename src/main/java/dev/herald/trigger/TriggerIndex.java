package dev.herald.trigger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.Criteria;
import dev.herald.campaign.Campaign;
import dev.herald.campaign.CampaignRepository;
import dev.herald.campaign.CampaignStatus;
import dev.herald.campaign.CampaignWatcher;
import dev.herald.campaign.SendPlan;
import dev.herald.platform.Notifications;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The triggers of every ACTIVE triggered campaign, by event name and by attribute name, held in
 * memory so that an event finds its campaigns without a query. Rebuilt when a campaign changes,
 * on this instance at once and on the others through a notification.
 */
@ApplicationScoped
public class TriggerIndex implements CampaignWatcher {

    static final String CHANNEL = "herald_campaigns";
    private static final Logger LOG = Logger.getLogger(TriggerIndex.class);

    /** A live trigger: its campaign, audience, and what it listens for. */
    public record Trigger(Campaign campaign, Criteria audience, String event, Criteria where, String attribute,
            JsonNode to) {
    }

    private record Snapshot(Map<String, List<Trigger>> byEvent, Map<String, List<Trigger>> byAttribute,
            Map<String, List<UUID>> exitsByEvent) {
    }

    private final CampaignRepository campaigns;
    private final Notifications notifications;
    private final Pool pool;
    private final AtomicLong requested = new AtomicLong();
    private long applied;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), Map.of());

    public TriggerIndex(CampaignRepository campaigns, Notifications notifications, Pool pool) {
        this.campaigns = campaigns;
        this.notifications = notifications;
        this.pool = pool;
    }

    public List<Trigger> forEvent(String name) {
        return snapshot.byEvent().getOrDefault(name, List.of());
    }

    public List<Trigger> forAttribute(String name) {
        return snapshot.byAttribute().getOrDefault(name, List.of());
    }

    /** The campaigns a user leaves when tracking this event ({@code exitOn}). */
    public List<UUID> exitedBy(String event) {
        return snapshot.exitsByEvent().getOrDefault(event, List.of());
    }

    /** After a campaign changed: rebuild here, then tell the other instances. */
    @Override
    public Uni<Void> changed() {
        return refresh().call(() -> notifications.notify(pool, CHANNEL));
    }

    /** Rebuilds the index from the database; a slower, older rebuild never replaces a newer one. */
    public Uni<Void> refresh() {
        long generation = requested.incrementAndGet();
        return campaigns.findLive().invoke(live -> apply(generation, build(live))).replaceWithVoid();
    }

    private synchronized void apply(long generation, Snapshot built) {
        if (generation > applied) {
            applied = generation;
            snapshot = built;
        }
    }

    private static Snapshot build(List<Campaign> live) {
        Map<String, List<Trigger>> byEvent = new HashMap<>();
        Map<String, List<Trigger>> byAttribute = new HashMap<>();
        Map<String, List<UUID>> exits = new HashMap<>();
        for (Campaign campaign : live) {
            if (campaign.exitOn().event() != null) {
                exits.computeIfAbsent(campaign.exitOn().event(), k -> new ArrayList<>()).add(campaign.id());
            }
            if (!(campaign.plan() instanceof SendPlan.Triggered triggered)
                    || campaign.status() != CampaignStatus.ACTIVE) {
                continue;
            }
            Criteria audience = campaign.audience().criteria();
            if (triggered.trigger() instanceof SendPlan.OnEvent onEvent) {
                byEvent.computeIfAbsent(onEvent.event(), k -> new ArrayList<>())
                        .add(new Trigger(campaign, audience, onEvent.event(), onEvent.where(), null, null));
            } else if (triggered.trigger() instanceof SendPlan.OnAttribute onAttribute) {
                byAttribute.computeIfAbsent(onAttribute.attribute(), k -> new ArrayList<>())
                        .add(new Trigger(campaign, audience, null, null, onAttribute.attribute(), onAttribute.to()));
            }
        }
        return new Snapshot(byEvent, byAttribute, exits);
    }

    void start(@Observes StartupEvent event) {
        notifications.listen(CHANNEL, () -> refresh().subscribe().with(ignored -> {
        }, failure -> LOG.warnf("Refreshing triggers failed: %s", failure.getMessage())));
        refresh().await().atMost(Duration.ofSeconds(30));
    }
}
