package dev.herald.event;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.platform.Grouping;
import dev.herald.platform.Ids;
import dev.herald.platform.Json;
import dev.herald.platform.Page;
import dev.herald.platform.ProblemException;
import dev.herald.platform.Problems;
import dev.herald.platform.Sql;
import dev.herald.user.TriggeringEvent;
import dev.herald.user.User;
import dev.herald.user.UserIds;
import dev.herald.user.UserService;
import dev.herald.user.UserStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Takes in tracked events (contract section 3): the user's attributes are merged first, then
 * triggers are evaluated, and all of it commits before the event is acknowledged.
 */
@ApplicationScoped
public class EventService {

    static final Duration OLDEST = Duration.ofDays(30);
    static final Duration NEWEST = Duration.ofMinutes(5);
    static final int MAX_PARAMS_BYTES = 64 * 1024;
    static final int MAX_BATCH = 1000;
    /** The name of a rehearsal's events that no trigger names, and the start of its users' ids. */
    private static final String WARM_UP = "herald-warm-up";
    /** Transactions of single events that change or trigger something, in flight at once. */
    static final int CHANGING_TRANSACTIONS = 2;
    /** Such events in one transaction at the most. */
    static final int CHANGING_MOST = 100;
    /** Transactions of single events whose users another transaction holds, waiting at once. */
    static final int WAITING_TRANSACTIONS = 2;

    private final UserStore users;
    private final UserService userService;
    private final EventStore events;
    private final QuietEvents quiet;
    private final EventTriggers triggers;
    private final EventMetrics metrics;
    private final EventBacklog backlog;
    private final Json json;
    private final Clock clock;
    private final Grouping<Changing, EventAccepted> changing;
    private final Grouping<Changing, EventAccepted> waiting;

    public EventService(UserStore users, UserService userService, EventStore events, QuietEvents quiet,
            EventTriggers triggers, EventMetrics metrics, EventBacklog backlog, Json json, Clock clock) {
        this.metrics = metrics;
        this.backlog = backlog;
        this.users = users;
        this.userService = userService;
        this.events = events;
        this.quiet = quiet;
        this.triggers = triggers;
        this.json = json;
        this.clock = clock;
        // One event a transaction: a group would wait as a whole for the one user held longest.
        this.waiting = Grouping.oneByOne(WAITING_TRANSACTIONS, this::trackWaiting);
        // An event whose user another transaction holds (a batch, an update of the user, its
        // erasure, another instance's events) waits for it apart, holding up no other user's events.
        this.changing = new Grouping<>(CHANGING_TRANSACTIONS, CHANGING_MOST, this::trackIfFree, this::trackTogether,
                waiting::submit);
    }

    public Uni<EventAccepted> track(EventRequest request) {
        Instant now = Sql.millis(clock.instant());
        Problems.Collector errors = new Problems.Collector();
        TrackedEvent event = check(request, now, "", errors);
        errors.throwIfAny();
        if (patch(request) == null && !triggers.listensTo(event.event())) {
            // Nothing to change or trigger: storing the event (and its user, if new) is all of it.
            return backlog.hold(1, () -> quiet.store(event)).invoke(this::count);
        }
        Changing one = new Changing(event, patch(request), now);
        return backlog.hold(1, () -> changing.submit(one)).invoke(this::count);
    }

    /** A single event that changes its user or triggers something, waiting for its transaction. */
    private record Changing(TrackedEvent event, ObjectNode patch, Instant now) {
    }

    /**
     * A single event in a transaction of its own, unless another transaction holds its user:
     * then nothing of it stays and the answer is null, for {@link #trackWaiting} to take.
     */
    private Uni<EventAccepted> trackIfFree(Changing one) {
        return users.pool().withTransaction(conn -> trackIfFree(conn, one.event(), one.patch(), one.now()))
                .onFailure(HeldElsewhere.class).recoverWithNull();
    }

    /**
     * Single events that came while every transaction for such events was busy, in one
     * transaction: their users are created and locked first, those no other transaction holds
     * (in id order, as a batch does, so that two transactions cannot deadlock), and their events
     * taken as {@link #trackInOrder}. The events of users held elsewhere are answered null, for
     * {@link #trackWaiting} to take, so the group does not wait for them.
     */
    private Uni<List<EventAccepted>> trackTogether(List<Changing> group) {
        List<String> userIds = group.stream().map(one -> one.event().userId()).distinct().toList();
        return users.pool().withTransaction(conn -> users.createAndLockFree(conn, userIds, group.get(0).now())
                .chain(locked -> {
                    List<Changing> free = group.stream().filter(one -> locked.containsKey(one.event().userId()))
                            .toList();
                    return trackInOrder(conn, free, locked).map(answers -> {
                        List<EventAccepted> all = new ArrayList<>(group.size());
                        int next = 0;
                        for (Changing one : group) {
                            all.add(locked.containsKey(one.event().userId()) ? answers.get(next++) : null);
                        }
                        return all;
                    });
                }));
    }

    /**
     * A single event whose user another transaction held (or whose shared transaction failed):
     * taken once that transaction ends.
     */
    private Uni<EventAccepted> trackWaiting(Changing one) {
        return users.pool().withTransaction(conn -> trackIn(conn, one.event(), one.patch(), one.now()))
                .invoke(metrics::waited);
    }

    /**
     * Events of users the caller's transaction has locked ({@code locked}: their rows as they
     * stand), answered in their order: each user's events one after the other in the order given,
     * the users side by side, their statements going out together on the one connection.
     */
    private Uni<List<EventAccepted>> trackInOrder(SqlConnection conn, List<Changing> all, Map<String, User> locked) {
        if (all.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<String, List<Integer>> byUser = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            byUser.computeIfAbsent(all.get(i).event().userId(), id -> new ArrayList<>()).add(i);
        }
        Map<String, User> current = new ConcurrentHashMap<>(locked);
        EventAccepted[] answers = new EventAccepted[all.size()];
        List<Uni<Void>> each = byUser.values().stream().map(indices -> Multi.createFrom().iterable(indices)
                .onItem().transformToUniAndConcatenate(i -> trackLocked(conn, all.get(i).event(), all.get(i).patch(),
                        all.get(i).now(), current).invoke(answer -> answers[i] = answer))
                .collect().last().replaceWithVoid())
                .toList();
        return Uni.join().all(each).andFailFast().map(done -> Arrays.asList(answers));
    }

    /**
     * Up to {@link #MAX_BATCH} events: all are checked first (one bad event refuses the batch,
     * naming each bad index), then all are stored in one transaction. The events of a user that
     * carries attribute changes or an event some campaign listens to are taken in their order,
     * with the user locked ({@link #trackInOrder}); the events of all other users change and
     * trigger nothing, so they are stored together with one statement.
     */
    public Uni<BatchAccepted> trackAll(BatchRequest request) {
        Instant now = Sql.millis(clock.instant());
        if (request == null || request.events() == null || request.events().isEmpty()) {
            throw ProblemException.invalid("events", "must hold 1 to " + MAX_BATCH + " events");
        }
        if (request.events().size() > MAX_BATCH) {
            throw ProblemException.invalid("events", "must hold at most " + MAX_BATCH + " events, found "
                    + request.events().size());
        }
        Problems.Collector errors = new Problems.Collector();
        List<TrackedEvent> checked = new ArrayList<>();
        for (int i = 0; i < request.events().size(); i++) {
            checked.add(check(request.events().get(i), now, "events[" + i + "].", errors));
        }
        errors.throwIfAny();
        Set<String> busy = new HashSet<>();
        for (int i = 0; i < checked.size(); i++) {
            if (patch(request.events().get(i)) != null || triggers.listensTo(checked.get(i).event())) {
                busy.add(checked.get(i).userId());
            }
        }
        return backlog.hold(checked.size(), () -> storeAll(request, checked, busy, now));
    }

    /** Stores the checked events of a batch; {@code busy} are the users whose events change or trigger something. */
    private Uni<BatchAccepted> storeAll(BatchRequest request, List<TrackedEvent> checked, Set<String> busy,
            Instant now) {
        if (busy.isEmpty()) {
            // Nothing to change or trigger: one statement stores the events and creates their users.
            return events.insertAll(events.pool(), checked, now).map(stored -> {
                metrics.stored(stored, checked.size() - stored, 0);
                return new BatchAccepted(stored, checked.size() - stored);
            });
        }
        List<TrackedEvent> quiet = checked.stream().filter(e -> !busy.contains(e.userId())).toList();
        List<Changing> changing = IntStream.range(0, checked.size())
                .filter(i -> busy.contains(checked.get(i).userId()))
                .mapToObj(i -> new Changing(checked.get(i), patch(request.events().get(i)), now)).toList();
        List<String> userIds = checked.stream().map(TrackedEvent::userId).toList();
        return users.pool().withTransaction(conn -> users.createAndLock(conn, userIds, List.copyOf(busy), now)
                .chain(locked -> events.insertAll(conn, quiet, now)
                        .chain(stored -> trackInOrder(conn, changing, locked)
                        .map(all -> {
                            int duplicates = quiet.size() - stored
                                    + (int) all.stream().filter(EventAccepted::duplicate).count();
                            int entries = all.stream().mapToInt(EventAccepted::entries).sum();
                            return new Stored(checked.size() - duplicates, duplicates, entries);
                        }))))
                .map(stored -> {
                    metrics.stored(stored.accepted(), stored.duplicates(), stored.entries());
                    return new BatchAccepted(stored.accepted(), stored.duplicates());
                });
    }

    private record Stored(int accepted, int duplicates, int entries) {
    }

    private void count(EventAccepted accepted) {
        metrics.stored(accepted.duplicate() ? 0 : 1, accepted.duplicate() ? 1 : 0, accepted.entries());
    }

    private static ObjectNode patch(EventRequest request) {
        return request.userAttributes() == null || request.userAttributes().isNull() ? null
                : (ObjectNode) request.userAttributes();
    }

    /**
     * Stores one event in the caller's transaction and runs what it triggers. The event (whose
     * statement creates the user if missing) and the lock on the user's row go out together and
     * run in that order: one round trip for the two.
     */
    private Uni<EventAccepted> trackIn(SqlConnection conn, TrackedEvent event, ObjectNode patch, Instant now) {
        return Uni.combine().all()
                .unis(events.insertOrFindRepeat(conn, event), users.lock(conn, event.userId())).asTuple()
                .chain(both -> take(conn, event, patch, now, both.getItem2(), both.getItem1()))
                .map(Tracked::accepted);
    }

    /**
     * As {@link #trackIn}, but only if no other transaction holds the user, for whatever (an
     * update, its erasure); if one does, nothing waits for it: this fails with
     * {@link HeldElsewhere}, and the caller's transaction must roll back (it may have created
     * the user). The user's creation, the event with the lock, and the user's row go out
     * together: one round trip, as in {@link #trackIn}.
     */
    private Uni<EventAccepted> trackIfFree(SqlConnection conn, TrackedEvent event, ObjectNode patch, Instant now) {
        String[] user = { event.userId() };
        return Uni.combine().all()
                .unis(users.createAllIfAbsent(conn, user, now), events.insertIfUserFree(conn, event),
                        users.lockFree(conn, user))
                .asTuple()
                .chain(all -> {
                    // Whether the event's statement held the user decides; the lock after it
                    // only reads the row (and may find it freed meanwhile).
                    if (all.getItem2() == null) {
                        return Uni.createFrom().<Tracked> failure(new HeldElsewhere());
                    }
                    return take(conn, event, patch, now, all.getItem3().get(event.userId()), all.getItem2());
                })
                .map(Tracked::accepted);
    }

    /** Another transaction holds the event's user. */
    private static final class HeldElsewhere extends RuntimeException {
        HeldElsewhere() {
            super(null, null, false, false);
        }
    }

    /**
     * Stores one event of a user the caller's transaction has locked already, whose row as it
     * stands is in {@code locked}; leaves there the user as this event left them, for the next.
     */
    private Uni<EventAccepted> trackLocked(SqlConnection conn, TrackedEvent event, ObjectNode patch, Instant now,
            Map<String, User> locked) {
        return events.insertOrFindRepeat(conn, event)
                .chain(id -> take(conn, event, patch, now, locked.get(event.userId()), id))
                .invoke(tracked -> locked.put(event.userId(), tracked.user()))
                .map(Tracked::accepted);
    }

    /** An event taken in: its answer, and its user as it left them. */
    private record Tracked(EventAccepted accepted, User user) {
    }

    /** Merges the stored event's attributes into its user and runs what it triggers; a repeat does nothing. */
    private Uni<Tracked> take(SqlConnection conn, TrackedEvent event, ObjectNode patch, Instant now, User before,
            UUID id) {
        if (!id.equals(event.id())) {
            return Uni.createFrom().item(new Tracked(new EventAccepted(id, true, 0), before));
        }
        TriggeringEvent triggering = new TriggeringEvent(event.id(), event.event(), event.params(), event.time());
        Uni<User> merged = patch == null ? Uni.createFrom().item(before) : userService.mergeIn(conn, before, patch, now);
        return merged.call(after -> triggers.onExit(conn, after.id(), event.event(), now))
                .chain(after -> triggers
                        .onAttributesChanged(conn, after, UserService.changes(before, after), triggering, now)
                        .chain(fromAttributes -> triggers.onEvent(conn, after, triggering, now)
                                .map(fromEvent -> fromAttributes + fromEvent))
                        .map(entries -> new Tracked(new EventAccepted(event.id(), false, entries), after)));
    }

    /**
     * {@link #rehearseOn} a connection of the pool, for an event of {@code name}: its user
     * created and locked, the event stored, the triggers asked, their entries written, and all of
     * it rolled back, so that nothing stays and nothing is sent. The warm-up uses it, so that the
     * first real event does not run cold code.
     */
    public Uni<Void> rehearse(String name) {
        return users.pool().withConnection(conn -> rehearseOn(conn, name));
    }

    /**
     * Sends on {@code conn}, in a transaction then rolled back, the statements the first events
     * after a start send: a single event's that changes nothing, a batch's, and what an event
     * with user attributes runs, of the name {@code trigger} if it is not null. A connection
     * prepares a statement the first time it sends it, and the database's process behind it
     * reads the tables' definitions the first time one of its statements touches them: 11 ms for
     * the first event on a connection (bench/RESULTS.md).
     */
    public Uni<Void> rehearseOn(SqlConnection conn, String trigger) {
        Instant now = Sql.millis(clock.instant());
        ObjectNode patch = json.mapper().createObjectNode().put("herald_warm_up", true);
        return conn.begin().chain(tx -> events.insertUnlessUserHeld(conn, madeUp(WARM_UP, now))
                .chain(() -> events.insertAll(conn, List.of(madeUp(WARM_UP, now)), now))
                .chain(() -> trackIfFree(conn, madeUp(trigger == null ? WARM_UP : trigger, now), patch, now))
                .eventually(tx::rollback))
                .onFailure(HeldElsewhere.class).recoverWithNull()
                .replaceWithVoid();
    }

    /** An event of {@code name} for a user no one else has. */
    private TrackedEvent madeUp(String name, Instant now) {
        return new TrackedEvent(Ids.newId(), WARM_UP + "-" + Ids.newId(), name, json.mapper().createObjectNode(),
                now, now, null);
    }

    public Uni<Page<TrackedEvent>> list(String userId, String name, String after, int size) {
        return events.list(userId, name == null || name.isBlank() ? null : name, Page.afterId(after), size + 1)
                .map(found -> Page.of(found, size, e -> e.id().toString()));
    }

    /** Checks one event; problems go to {@code errors} with {@code at} before each field. */
    private TrackedEvent check(EventRequest request, Instant now, String at, Problems.Collector errors) {
        if (request == null) {
            errors.add(at.isEmpty() ? "" : at.substring(0, at.length() - 1),
                    "must be an event: {\"userId\": ..., \"event\": ...}");
            return null;
        }
        String userIdProblem = UserIds.problem(request.userId());
        if (userIdProblem != null) {
            errors.add(at + "userId", "is required: the app's id of the user, which " + userIdProblem);
        }
        if (request.event() == null || request.event().isBlank() || request.event().length() > 128) {
            errors.add(at + "event", "is required: the event's name, 1 to 128 characters");
        }
        if (request.params() != null && !request.params().isNull()) {
            if (!request.params().isObject()) {
                errors.add(at + "params", "must be an object of parameter names to values");
            } else if (json.write(request.params()).getBytes(StandardCharsets.UTF_8).length > MAX_PARAMS_BYTES) {
                errors.add(at + "params", "must take at most " + MAX_PARAMS_BYTES + " bytes as JSON");
            }
        }
        if (request.id() != null && (request.id().isEmpty() || request.id().length() > 128)) {
            errors.add(at + "id", "must be 1 to 128 characters: the app's own id of this event");
        }
        if (request.userAttributes() != null && !request.userAttributes().isNull()) {
            if (!request.userAttributes().isObject()) {
                errors.add(at + "userAttributes", "must be an object of attribute names to values");
            } else {
                request.userAttributes().fieldNames().forEachRemaining(name -> {
                    String problem = userService.nameProblem(name);
                    if (problem != null) {
                        errors.add(at + "userAttributes." + name, problem);
                    }
                });
            }
        }
        Instant time = now;
        if (request.time() != null) {
            try {
                time = Sql.millis(Instant.parse(request.time()));
                if (time.isBefore(now.minus(OLDEST)) || time.isAfter(now.plus(NEWEST))) {
                    errors.add(at + "time", "must lie within the last 30 days and at most 5 minutes ahead");
                }
            } catch (DateTimeException e) {
                errors.add(at + "time", "must be an ISO-8601 instant such as 2026-12-01T09:00:00Z");
            }
        }
        if (!errors.isEmpty()) {
            return null;
        }
        ObjectNode params = request.params() == null || request.params().isNull() ? json.mapper().createObjectNode()
                : (ObjectNode) request.params();
        UUID id = Ids.newId();
        return new TrackedEvent(id, request.userId(), request.event(), params, time, now, request.id());
    }
}
