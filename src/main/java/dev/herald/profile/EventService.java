package dev.herald.profile;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.delivery.Wakeups;
import dev.herald.platform.Ids;
import dev.herald.platform.Json;
import dev.herald.platform.Page;
import dev.herald.platform.Problems;
import dev.herald.platform.Sql;
import dev.herald.trigger.TriggerService;
import dev.herald.trigger.TriggeringEvent;
import io.smallrye.mutiny.Uni;

/**
 * Takes in tracked events (contract section 3): the user's attributes are merged first, then
 * triggers are evaluated, and all of it commits before the event is acknowledged.
 */
@ApplicationScoped
public class EventService {

    static final Duration OLDEST = Duration.ofDays(30);
    static final Duration NEWEST = Duration.ofMinutes(5);
    static final int MAX_PARAMS_BYTES = 64 * 1024;

    private final UserRepository users;
    private final UserService userService;
    private final EventRepository events;
    private final TriggerService triggers;
    private final Wakeups wakeups;
    private final Json json;
    private final Clock clock;

    public EventService(UserRepository users, UserService userService, EventRepository events,
            TriggerService triggers, Wakeups wakeups, Json json, Clock clock) {
        this.users = users;
        this.userService = userService;
        this.events = events;
        this.triggers = triggers;
        this.wakeups = wakeups;
        this.json = json;
        this.clock = clock;
    }

    public Uni<EventAccepted> track(EventRequest request) {
        Instant now = Sql.millis(clock.instant());
        TrackedEvent event = check(request, now);
        ObjectNode patch = request.userAttributes() == null || request.userAttributes().isNull() ? null
                : (ObjectNode) request.userAttributes();
        return users.pool().withTransaction(conn -> users.lockOrCreate(conn, event.userId(), now)
                .chain(before -> events.insertOrFindRepeat(conn, event).chain(id -> {
                    if (!id.equals(event.id())) {
                        return Uni.createFrom().item(new EventAccepted(id, true, 0));
                    }
                    TriggeringEvent triggering = new TriggeringEvent(event.id(), event.event(), event.params(),
                            event.time());
                    Uni<User> merged = patch == null ? Uni.createFrom().item(before)
                            : userService.mergeIn(conn, before, patch, now);
                    return merged.call(after -> triggers.onExit(conn, after.id(), event.event(), now))
                            .chain(after -> triggers
                            .onAttributesChanged(conn, after, UserService.changes(before, after), triggering, now)
                            .chain(fromAttributes -> triggers.onEvent(conn, after, triggering, now)
                                    .map(fromEvent -> fromAttributes + fromEvent)))
                            .call(entries -> entries > 0 ? wakeups.onCommit(conn) : Uni.createFrom().voidItem())
                            .map(entries -> new EventAccepted(event.id(), false, entries));
                })))
                .invoke(accepted -> {
                    if (accepted.entries() > 0) {
                        wakeups.wakeHere();
                    }
                });
    }

    public Uni<Page<TrackedEvent>> list(String userId, String name, String after, Integer limit) {
        int size = Page.limit(limit);
        return events.list(userId, name == null || name.isBlank() ? null : name, Page.afterId(after), size + 1)
                .map(found -> Page.of(found, size, e -> e.id().toString()));
    }

    private TrackedEvent check(EventRequest request, Instant now) {
        Problems.Collector errors = new Problems.Collector();
        if (request == null) {
            errors.add("", "a JSON body is required: {\"userId\": ..., \"event\": ...}");
            errors.throwIfAny();
        }
        if (request.userId() == null || request.userId().isEmpty() || request.userId().length() > 128) {
            errors.add("userId", "is required: the app's id of the user, 1 to 128 characters");
        }
        if (request.event() == null || request.event().isBlank() || request.event().length() > 128) {
            errors.add("event", "is required: the event's name, 1 to 128 characters");
        }
        if (request.params() != null && !request.params().isNull()) {
            if (!request.params().isObject()) {
                errors.add("params", "must be an object of parameter names to values");
            } else if (json.write(request.params()).getBytes(StandardCharsets.UTF_8).length > MAX_PARAMS_BYTES) {
                errors.add("params", "must take at most " + MAX_PARAMS_BYTES + " bytes as JSON");
            }
        }
        if (request.id() != null && (request.id().isEmpty() || request.id().length() > 128)) {
            errors.add("id", "must be 1 to 128 characters: the app's own id of this event");
        }
        if (request.userAttributes() != null && !request.userAttributes().isNull()) {
            if (!request.userAttributes().isObject()) {
                errors.add("userAttributes", "must be an object of attribute names to values");
            } else {
                userService.checkNames((ObjectNode) request.userAttributes());
            }
        }
        Instant time = now;
        if (request.time() != null) {
            try {
                time = Sql.millis(Instant.parse(request.time()));
                if (time.isBefore(now.minus(OLDEST)) || time.isAfter(now.plus(NEWEST))) {
                    errors.add("time", "must lie within the last 30 days and at most 5 minutes ahead");
                }
            } catch (DateTimeException e) {
                errors.add("time", "must be an ISO-8601 instant such as 2026-12-01T09:00:00Z");
            }
        }
        errors.throwIfAny();
        ObjectNode params = request.params() == null || request.params().isNull() ? json.mapper().createObjectNode()
                : (ObjectNode) request.params();
        UUID id = Ids.newId();
        return new TrackedEvent(id, request.userId(), request.event(), params, time, now, request.id());
    }
}
