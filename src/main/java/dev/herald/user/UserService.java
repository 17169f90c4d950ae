package dev.herald.user;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.delivery.DeliveryStore;
import dev.herald.platform.Json;
import dev.herald.platform.Page;
import dev.herald.platform.ProblemException;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/** Stores users and their attributes within the configured limits. */
@ApplicationScoped
public class UserService {

    private final UserStore users;
    private final DeliveryStore deliveries;
    private final UserTriggers triggers;
    private final UserConfig limits;
    private final Json json;
    private final Clock clock;

    public UserService(UserStore users, DeliveryStore deliveries, UserTriggers triggers, UserConfig limits, Json json,
            Clock clock) {
        this.users = users;
        this.deliveries = deliveries;
        this.triggers = triggers;
        this.limits = limits;
        this.json = json;
        this.clock = clock;
    }

    /** Creates the user or replaces all its attributes; attribute triggers fire in the same transaction. */
    public Uni<User> replace(String id, UserRequest request) {
        checkId(id);
        ObjectNode attributes = attributes(request);
        checkLimits(attributes);
        Instant now = now();
        return write(id, now, current -> users.put(current.conn(), id, attributes, now));
    }

    /** Merges attributes into the user (a null value removes one); attribute triggers fire too. */
    public Uni<User> merge(String id, UserRequest request) {
        checkId(id);
        ObjectNode patch = attributes(request);
        checkNames(patch);
        Instant now = now();
        return write(id, now, current -> mergeIn(current.conn(), current.user(), patch, now));
    }

    /** The user locked in a transaction, about to change. */
    private record Current(SqlClient conn, User user) {
    }

    private Uni<User> write(String id, Instant now, Function<Current, Uni<User>> change) {
        return users.pool().withTransaction(conn -> users.lockOrCreate(conn, id, now)
                .chain(before -> change.apply(new Current(conn, before)).chain(after -> triggers
                        .onAttributesChanged(conn, after, changes(before, after), null, now)
                        .replaceWith(after))));
    }

    /** Merges {@code patch} into a user locked by the caller's transaction, within the limits. */
    public Uni<User> mergeIn(SqlClient conn, User current, ObjectNode patch, Instant now) {
        ObjectNode merged = current.attributes().deepCopy();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                merged.remove(field.getKey());
            } else {
                merged.set(field.getKey(), field.getValue());
            }
        }
        checkLimits(merged);
        return users.put(conn, current.id(), merged, now);
    }

    /** The attributes whose value differs, to their new value (null when removed). */
    public static Map<String, JsonNode> changes(User before, User after) {
        Map<String, JsonNode> changed = new LinkedHashMap<>();
        after.attributes().fields().forEachRemaining(field -> {
            if (!field.getValue().equals(before.attributes().get(field.getKey()))) {
                changed.put(field.getKey(), field.getValue());
            }
        });
        before.attributes().fieldNames().forEachRemaining(name -> {
            if (!after.attributes().has(name)) {
                changed.put(name, null);
            }
        });
        return changed;
    }

    public Uni<User> get(String id) {
        return users.find(id).onItem().ifNull().failWith(() -> ProblemException.notFound("user", id));
    }

    public Uni<Page<User>> list(String q, String after, int size) {
        String position = Page.position(after);
        Instant afterCreated = null;
        String afterId = null;
        if (position != null) {
            int space = position.indexOf(' ');
            try {
                afterCreated = Instant.parse(position.substring(0, space));
                afterId = position.substring(space + 1);
            } catch (RuntimeException e) {
                throw ProblemException.invalid("after", "is not a cursor returned by this list");
            }
        }
        return users.list(q == null || q.isBlank() ? null : q, afterCreated, afterId, size + 1)
                .map(found -> Page.of(found, size, user -> user.createdAt() + " " + user.id()));
    }

    /**
     * Erases the user, with its events (their foreign key cascades) and its deliveries with their
     * attempts, in one transaction.
     */
    public Uni<Void> delete(String id) {
        return users.pool().withTransaction(conn -> users.delete(conn, id)
                .call(deleted -> deleted ? deliveries.deleteOfUser(conn, id) : Uni.createFrom().voidItem()))
                .invoke(deleted -> {
            if (!deleted) {
                throw ProblemException.notFound("user", id);
            }
        }).replaceWithVoid();
    }

    Instant now() {
        return Sql.millis(clock.instant());
    }

    static void checkId(String id) {
        String problem = UserIds.problem(id);
        if (problem != null) {
            throw ProblemException.invalid("userId", problem);
        }
    }

    static ObjectNode attributes(UserRequest request) {
        if (request == null || request.attributes() == null || request.attributes().isNull()) {
            throw ProblemException.invalid("attributes", "is required: an object of attribute names to values");
        }
        if (!request.attributes().isObject()) {
            throw ProblemException.invalid("attributes", "must be an object of attribute names to values");
        }
        return (ObjectNode) request.attributes();
    }

    void checkNames(ObjectNode attributes) {
        attributes.fieldNames().forEachRemaining(name -> {
            String problem = nameProblem(name);
            if (problem != null) {
                throw ProblemException.invalid("attributes." + name, problem);
            }
        });
    }

    /** What is wrong with an attribute name, or null. */
    public String nameProblem(String name) {
        return name.isEmpty() || name.length() > limits.maxNameLength()
                ? "attribute names must be 1 to " + limits.maxNameLength() + " characters"
                : null;
    }

    private void checkLimits(ObjectNode attributes) {
        checkNames(attributes);
        if (attributes.size() > limits.maxAttributes()) {
            throw ProblemException.invalid("attributes", "a user may have at most " + limits.maxAttributes()
                    + " attributes; this one would have " + attributes.size());
        }
        int bytes = json.write(attributes).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxAttributesBytes()) {
            throw ProblemException.invalid("attributes", "a user's attributes may take at most "
                    + limits.maxAttributesBytes() + " bytes as JSON; these take " + bytes);
        }
    }
}
