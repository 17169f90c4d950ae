package dev.herald.trigger;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.Evaluator;
import dev.herald.audience.EventFact;
import dev.herald.campaign.Campaign;
import dev.herald.campaign.Limits;
import dev.herald.campaign.SendPlan;
import dev.herald.delivery.DeliveryStore;
import dev.herald.dispatch.Dispatcher;
import dev.herald.event.EventStore;
import dev.herald.event.EventTriggers;
import dev.herald.platform.Sql;
import dev.herald.platform.Wakeups;
import dev.herald.user.TriggeringEvent;
import dev.herald.user.User;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;

/**
 * Turns what a user did into entries of triggered campaigns (contract section 2.2), inside the
 * caller's transaction, so an event is acknowledged only with everything it triggered.
 */
@ApplicationScoped
public class TriggerService implements EventTriggers {

    private final TriggerIndex index;
    private final DeliveryStore deliveries;
    private final EventStore events;
    private final Dispatcher dispatcher;
    private final Wakeups wakeups;

    public TriggerService(TriggerIndex index, DeliveryStore deliveries, EventStore events, Dispatcher dispatcher,
            Wakeups wakeups) {
        this.index = index;
        this.deliveries = deliveries;
        this.events = events;
        this.dispatcher = dispatcher;
        this.wakeups = wakeups;
    }

    @Override
    public boolean listensTo(String event) {
        return !index.forEvent(event).isEmpty() || !index.exitedBy(event).isEmpty();
    }

    @Override
    public Uni<Integer> onEvent(SqlConnection conn, User user, TriggeringEvent event, Instant now) {
        List<TriggerIndex.Trigger> triggers = index.forEvent(event.name());
        return history(conn, user, triggers).chain(history -> {
            List<Supplier<Uni<Integer>>> writes = new ArrayList<>();
            for (TriggerIndex.Trigger trigger : triggers) {
                Evaluator.Subject subject = new Evaluator.Subject(user.id(), user.attributes(), user.createdAt(),
                        event.params(), now, history);
                if (Evaluator.matches(trigger.where(), subject) && Evaluator.matches(trigger.audience(), subject)) {
                    enter(conn, trigger, user, event, now, writes);
                }
            }
            return run(writes);
        });
    }

    /** The user's events that the triggers' audiences count (in this transaction: the new event too). */
    private Uni<List<EventFact>> history(SqlConnection conn, User user, List<TriggerIndex.Trigger> triggers) {
        Set<String> names = new HashSet<>();
        triggers.forEach(trigger -> names.addAll(Evaluator.eventNames(trigger.audience())));
        return events.facts(conn, List.of(user.id()), names).map(found -> found.getOrDefault(user.id(), List.of()));
    }

    @Override
    public Uni<Integer> onAttributesChanged(SqlConnection conn, User user, Map<String, JsonNode> changed,
            TriggeringEvent event, Instant now) {
        List<TriggerIndex.Trigger> triggers = new ArrayList<>();
        changed.forEach((name, value) -> index.forAttribute(name).stream()
                .filter(trigger -> becomes(value, trigger.to())).forEach(triggers::add));
        if (triggers.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return history(conn, user, triggers).chain(history -> {
            List<Supplier<Uni<Integer>>> writes = new ArrayList<>();
            for (TriggerIndex.Trigger trigger : triggers) {
                Evaluator.Subject subject = new Evaluator.Subject(user.id(), user.attributes(), user.createdAt(),
                        null, now, history);
                if (Evaluator.matches(trigger.audience(), subject)) {
                    enter(conn, trigger, user, event, now, writes);
                }
            }
            return run(writes);
        });
    }

    private void enter(SqlConnection conn, TriggerIndex.Trigger trigger, User user, TriggeringEvent event, Instant now,
            List<Supplier<Uni<Integer>>> writes) {
        Instant due = due((SendPlan.Triggered) trigger.campaign().plan(), user, event, now);
        if (due == null) {
            return;
        }
        UUID eventId = event == null ? null : event.id();
        Limits.PerUser cap = trigger.campaign().limits().perUser();
        if (cap == null) {
            writes.add(() -> enter(conn, trigger.campaign(), user, eventId, due, now));
            return;
        }
        // The caller's transaction holds the user's row, so two events of one user cannot both pass.
        Duration window = cap.window();
        writes.add(() -> deliveries.countEntries(conn, trigger.campaign().id(), user.id(), window == null ? null
                : now.minus(window)).chain(count -> count < cap.max()
                        ? enter(conn, trigger.campaign(), user, eventId, due, now)
                        : deliveries.skipCapped(conn, trigger.campaign().entryPlan(), user.id(), eventId, now).replaceWith(0)));
    }

    /**
     * Writes the entry. Its first delivery, when due at once, is written claimed by this
     * instance's dispatcher if it has room, and handed to it after the commit: the webhook leaves
     * without a claim's round trip. Campaigns with {@code maxPerMinute} are always claimed, which
     * counts them. Otherwise the dispatchers are woken after the commit; an entry due later is
     * found by their poll.
     */
    private Uni<Integer> enter(SqlConnection conn, Campaign campaign, User user, UUID eventId, Instant due,
            Instant now) {
        DeliveryStore.EntryPlan plan = campaign.entryPlan();
        boolean dueNow = !due.isAfter(now);
        Instant claimedUntil = dueNow && campaign.limits().maxPerMinute() == null && conn.transaction() != null
                ? dispatcher.claimUntil(plan.hosts()[0], now) : null;
        return deliveries.enter(conn, plan, user.id(), eventId, due, now, claimedUntil)
                .invoke(entered -> {
                    if (!entered.claimed().isEmpty()) {
                        afterCommit(conn, () -> dispatcher.take(entered.claimed(), campaign, user));
                    } else if (dueNow && entered.entries() > 0) {
                        afterCommit(conn, wakeups::wakeAll);
                    }
                })
                .map(DeliveryStore.Entered::entries);
    }

    private static void afterCommit(SqlConnection conn, Runnable action) {
        Transaction transaction = conn.transaction();
        if (transaction == null) {
            action.run();
            return;
        }
        // A transaction that does not commit leaves nothing to send; what committed without its
        // answer reaching here is sent once its claim's lease ends, or found by a poll.
        transaction.completion().subscribe().with(committed -> action.run(), rolledBack -> {
        });
    }

    @Override
    public Uni<Integer> onExit(SqlConnection conn, String userId, String event, Instant now) {
        List<UUID> campaigns = index.exitedBy(event);
        return campaigns.isEmpty() ? Uni.createFrom().item(0) : deliveries.exit(conn, userId, campaigns, now);
    }

    /** One statement after the other: they share the transaction's connection. */
    private static Uni<Integer> run(List<Supplier<Uni<Integer>>> writes) {
        if (writes.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Multi.createFrom().iterable(writes).onItem().transformToUniAndConcatenate(Supplier::get)
                .collect().asList().map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }

    /** With no {@code to}, any change fires; otherwise only a change to that value. */
    static boolean becomes(JsonNode value, JsonNode to) {
        if (to == null || to.isNull()) {
            return true;
        }
        if (value == null || value.isNull()) {
            return false;
        }
        if (to.isNumber() && value.isNumber()) {
            return to.decimalValue().compareTo(value.decimalValue()) == 0;
        }
        return to.equals(value);
    }

    /**
     * When the first action is due: after {@code delay}, or at a time held in an event parameter
     * or user attribute plus {@code offset} (at once if that is past). Null when that time is
     * missing or not an ISO-8601 instant: no entry is made.
     */
    static Instant due(SendPlan.Triggered plan, User user, TriggeringEvent event, Instant now) {
        if (plan.relativeTo() == null) {
            return now.plus(plan.delay());
        }
        String reference = plan.relativeTo();
        JsonNode value = reference.startsWith("event.params.")
                ? (event == null || event.params() == null ? null
                        : event.params().get(reference.substring("event.params.".length())))
                : user.attributes().get(reference.substring("user.".length()));
        if (value == null || !value.isTextual()) {
            return null;
        }
        try {
            Instant at = Sql.millis(OffsetDateTime.parse(value.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant().plus(plan.offset()));
            return at.isBefore(now) ? now : at;
        } catch (DateTimeException e) {
            return null;
        }
    }
}
