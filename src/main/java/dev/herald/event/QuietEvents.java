package dev.herald.event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.platform.Grouping;
import io.smallrye.mutiny.Uni;

/**
 * Stores single events that change and trigger nothing. Each goes to the database at once while
 * a statement slot is free; those that arrive while every slot is busy wait and then go together,
 * in one statement, so that under load a commit carries many events instead of one. An event whose
 * user another transaction is erasing waits apart, in statements of its own, holding up no other
 * user's events.
 */
@ApplicationScoped
class QuietEvents {

    /** Statements in flight at once. */
    static final int STATEMENTS = 2;
    /** Events in one statement at the most (their params take up to 64 KiB each). */
    static final int MOST = 100;
    /** Statements of single events whose users another transaction holds, waiting at once. */
    static final int WAITING = 2;

    private final EventStore events;
    private final EventMetrics metrics;
    private final Grouping<TrackedEvent, EventAccepted> grouping;

    QuietEvents(EventStore events, EventMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
        // One event a statement: a group would wait as a whole for the user held longest.
        Grouping<TrackedEvent, EventAccepted> waiting = Grouping.oneByOne(WAITING, this::waitFor);
        this.grouping = new Grouping<>(STATEMENTS, MOST, this::unlessHeld, this::together, waiting::submit);
    }

    /** Stores the event, or finds the earlier one with its (user, client id), once committed. */
    Uni<EventAccepted> store(TrackedEvent event) {
        return grouping.submit(event);
    }

    /** The event in a statement of its own; null if it could not be settled, for {@link #waitFor}. */
    private Uni<EventAccepted> unlessHeld(TrackedEvent event) {
        return events.insertUnlessUserHeld(events.pool(), event).map(id -> id == null ? null : accepted(event, id));
    }

    /**
     * An event whose user another transaction held, or whose repeat committed while its
     * statement ran, or whose group's statement failed: stored once its user is free.
     */
    private Uni<EventAccepted> waitFor(TrackedEvent event) {
        return events.insertOrFindRepeat(events.pool(), event).map(id -> accepted(event, id))
                .invoke(metrics::waited);
    }

    /**
     * One statement for the group. A (user, client id) sent twice at once is stored once; the
     * later ones are its repeats. An event whose user another transaction held, or whose repeat
     * committed while the statement ran, is left to {@link #waitFor}.
     */
    private Uni<List<EventAccepted>> together(List<TrackedEvent> group) {
        Map<List<String>, TrackedEvent> first = new HashMap<>();
        List<TrackedEvent> distinct = new ArrayList<>(group.size());
        for (TrackedEvent event : group) {
            if (event.clientId() == null || first.putIfAbsent(key(event), event) == null) {
                distinct.add(event);
            }
        }
        return events.insertAllUnlessUsersHeld(events.pool(), distinct, distinct.get(0).receivedAt()).map(ids -> {
            Map<TrackedEvent, UUID> found = new IdentityHashMap<>();
            Map<List<String>, UUID> stored = new HashMap<>();
            for (int i = 0; i < distinct.size(); i++) {
                TrackedEvent event = distinct.get(i);
                if (ids.get(i) != null) {
                    found.put(event, ids.get(i));
                    if (event.clientId() != null) {
                        stored.put(key(event), ids.get(i));
                    }
                }
            }
            List<EventAccepted> answers = new ArrayList<>(group.size());
            for (TrackedEvent event : group) {
                UUID id = found.containsKey(event) ? found.get(event)
                        : event.clientId() == null ? null : stored.get(key(event));
                answers.add(id == null ? null : accepted(event, id));
            }
            return answers;
        });
    }

    private static List<String> key(TrackedEvent event) {
        return List.of(event.userId(), event.clientId());
    }

    private static EventAccepted accepted(TrackedEvent event, UUID id) {
        return new EventAccepted(id, !id.equals(event.id()), 0);
    }
}
