package dev.herald.event;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.audience.EventFact;
import dev.herald.platform.Json;
import dev.herald.platform.Sql;
import dev.herald.user.UserStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The events table. */
@ApplicationScoped
public class EventStore {

    /** Events as arrays of their columns, $1 to $7, as {@link #columns} gives them. */
    private static final String UNNEST = "unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],"
            + " $6::timestamptz[], $7::timestamptz[])";
    private static final String COLUMNS = "id, user_id, name, client_id, params, time, received_at";
    /** Leaves out an event whose (user, client id) is stored; only events with a client id are in that index. */
    private static final String ON_REPEAT = "ON CONFLICT (user_id, client_id) WHERE client_id IS NOT NULL DO NOTHING";

    private final Pool pool;
    private final Json json;

    public EventStore(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
    }

    /**
     * Stores the event, and its user with no attributes if there is none yet; answers the id of
     * an earlier event with the same client id instead, if any. One statement, so an event that
     * changes and triggers nothing needs no transaction of its own.
     */
    public Uni<UUID> insertOrFindRepeat(SqlClient client, TrackedEvent event) {
        return client.preparedQuery("WITH u AS (" + UserStore.createIfMissing("$2", "$7") + "),"
                + " inserted AS (INSERT INTO events (id, user_id, name, client_id, params, time,"
                + " received_at) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7)"
                + " " + ON_REPEAT + " RETURNING id)"
                + " SELECT id FROM inserted UNION ALL"
                + " SELECT id FROM events WHERE user_id = $2 AND client_id = $4 AND NOT EXISTS (SELECT 1 FROM inserted)")
                .execute(row(event))
                .map(rows -> rows.iterator().next().getUUID("id"));
    }

    /**
     * Stores the event if its user exists and no other transaction holds it, locking the user for
     * this transaction as {@link UserStore#lockFree} does; answers its id, or that of an earlier
     * event with the same client id, or null when the user was held elsewhere (or missing), and
     * then stores nothing. Never waits for the user: the event's foreign key is only checked
     * once the user is held. The caller creates the user first if needed.
     */
    public Uni<UUID> insertIfUserFree(SqlConnection conn, TrackedEvent event) {
        return conn.preparedQuery(
                insertForMe("me AS (SELECT id FROM users WHERE id = $2 FOR NO KEY UPDATE SKIP LOCKED)"))
                .execute(row(event))
                .map(EventStore::idOrNull);
    }

    /**
     * As {@link #insertOrFindRepeat}, but never waits for a transaction that holds the user
     * against the events' foreign key (its erasure, or a lock {@code FOR UPDATE}): then nothing
     * is stored and the answer is null, as it is when an earlier event with the same client id
     * was committed while the statement ran. An update of the user's attributes does not hold
     * it up. One statement, so no transaction of its own.
     */
    public Uni<UUID> insertUnlessUserHeld(SqlClient client, TrackedEvent event) {
        return client.preparedQuery(insertForMe("created AS (" + UserStore.createAllIfAbsent("ARRAY[$2::text]",
                "$7::timestamptz") + " RETURNING id),"
                + " stands AS (SELECT id FROM users WHERE id = $2 FOR KEY SHARE SKIP LOCKED),"
                + " me AS (SELECT id FROM stands UNION ALL SELECT id FROM created)"))
                .execute(row(event))
                .map(EventStore::idOrNull);
    }

    /**
     * The statement that stores the event ($1 to $7) if {@code me}, common table expressions
     * the last of which is named {@code me}, yields its user's id, which they must hold for
     * this transaction, so that the event's foreign key never waits; and nothing otherwise.
     * Answers the event's id, or that of an earlier event with the same client id.
     */
    private static String insertForMe(String me) {
        return "WITH " + me + ","
                + " inserted AS (INSERT INTO events (id, user_id, name, client_id, params, time, received_at)"
                + "   SELECT $1::uuid, me.id, $3::text, $4::text, $5::text::jsonb, $6::timestamptz, $7::timestamptz"
                + "   FROM me " + ON_REPEAT + " RETURNING id)"
                + " SELECT id FROM inserted UNION ALL"
                + " SELECT id FROM events WHERE user_id = $2 AND client_id = $4"
                + "   AND EXISTS (SELECT 1 FROM me) AND NOT EXISTS (SELECT 1 FROM inserted)";
    }

    /** The event's columns, $1 to $7. */
    private Tuple row(TrackedEvent event) {
        return Tuple.from(new Object[] { event.id(), event.userId(), event.event(), event.clientId(),
                json.write(event.params()), Sql.ts(event.time()), Sql.ts(event.receivedAt()) });
    }

    private static UUID idOrNull(RowSet<Row> rows) {
        return rows.size() == 0 ? null : rows.iterator().next().getUUID("id");
    }

    /**
     * Stores events in one statement, creating their users that do not exist yet (in id order,
     * as {@link UserStore#createAndLock} does, so that batches of overlapping users cannot
     * deadlock); an event whose (user, client id) is already stored, or repeated earlier in the
     * list, is left out. Returns how many were stored.
     */
    public Uni<Integer> insertAll(SqlClient client, List<TrackedEvent> all, Instant now) {
        if (all.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return client.preparedQuery("WITH u AS (" + UserStore.createAllIfMissing("$8", "$9") + ")"
                + " INSERT INTO events (" + COLUMNS + ")"
                + " SELECT e.id, e.user_id, e.name, e.client_id, e.params::jsonb, e.time, e.received_at"
                + " FROM " + UNNEST + " AS e(" + COLUMNS + ") " + ON_REPEAT)
                .execute(columns(all, now))
                .map(RowSet::rowCount);
    }

    /**
     * Stores events in one statement as {@link #insertAll} does, but never waits for a
     * transaction that holds a user against the events' foreign key, as
     * {@link #insertUnlessUserHeld} does; answers for each, in order, the id it is stored under:
     * its own, or that of the event already stored with the same (user, client id); null when
     * its user was held elsewhere, and then it is not stored, or when that earlier event was
     * committed after this statement began. No two of {@code all} may share a (user, client id).
     */
    public Uni<List<UUID>> insertAllUnlessUsersHeld(SqlClient client, List<TrackedEvent> all, Instant now) {
        return client.preparedQuery("WITH created AS (" + UserStore.createAllIfAbsent("$8", "$9") + " RETURNING id),"
                + " stands AS (" + UserStore.lockEach("$8", "id", "FOR KEY SHARE SKIP LOCKED") + "),"
                + " me AS (SELECT id FROM stands UNION ALL SELECT id FROM created),"
                + " e AS (SELECT *, user_id IN (SELECT id FROM me) AS free"
                + "   FROM " + UNNEST + " WITH ORDINALITY AS e(" + COLUMNS + ", n)),"
                + " inserted AS (INSERT INTO events (" + COLUMNS + ")"
                + "   SELECT e.id, e.user_id, e.name, e.client_id, e.params::jsonb, e.time, e.received_at FROM e"
                + "   WHERE e.free ORDER BY e.n " + ON_REPEAT + " RETURNING id)"
                // The events table is read only for those not inserted: a join would be planned
                // once, maybe while the table was small, and then scan all of it every time.
                + " SELECT CASE WHEN e.free THEN COALESCE(i.id, (SELECT x.id FROM events x"
                + "   WHERE x.user_id = e.user_id AND x.client_id = e.client_id)) END AS id"
                + " FROM e LEFT JOIN inserted i ON i.id = e.id ORDER BY e.n")
                .execute(columns(all, now))
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>(rows.size());
                    rows.forEach(row -> ids.add(row.getUUID("id")));
                    return ids;
                });
    }

    /** The events' columns as arrays ($1 to $7), their distinct users sorted ($8) and {@code now} ($9). */
    private Tuple columns(List<TrackedEvent> all, Instant now) {
        int n = all.size();
        UUID[] ids = new UUID[n];
        String[] userIds = new String[n];
        String[] names = new String[n];
        String[] clientIds = new String[n];
        String[] params = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        OffsetDateTime[] received = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            TrackedEvent event = all.get(i);
            ids[i] = event.id();
            userIds[i] = event.userId();
            names[i] = event.event();
            clientIds[i] = event.clientId();
            params[i] = json.write(event.params());
            times[i] = Sql.ts(event.time());
            received[i] = Sql.ts(event.receivedAt());
        }
        String[] users = Arrays.stream(userIds).distinct().sorted().toArray(String[]::new);
        return Tuple.from(new Object[] { ids, userIds, names, clientIds, params, times, received, users,
                Sql.ts(now) });
    }

    /**
     * Deletes up to {@code limit} events that happened before {@code before} and were received by
     * {@code idsUpTo} (ids are in order of receipt, so the oldest are walked first through the
     * primary key): of the name {@code name}, or when it is null of any name but {@code except}.
     * Rows another instance is deleting are skipped. Returns how many were deleted.
     */
    public Uni<Integer> deleteBefore(Instant before, UUID idsUpTo, String name, List<String> except, int limit) {
        return pool.preparedQuery("DELETE FROM events WHERE id IN (SELECT e.id FROM events e"
                + " WHERE e.id <= $2 AND e.time < $1 AND ($3::text IS NULL OR e.name = $3)"
                + " AND e.name <> ALL($4) ORDER BY e.id LIMIT $5 FOR UPDATE SKIP LOCKED)")
                .execute(Tuple.of(Sql.ts(before), idsUpTo, name, except.toArray(String[]::new), limit))
                .map(RowSet::rowCount);
    }

    /** The events of these users with these names, by user, for event criteria evaluated in memory. */
    public Uni<Map<String, List<EventFact>>> facts(SqlClient client, List<String> userIds, Set<String> names) {
        if (userIds.isEmpty() || names.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery("SELECT user_id, name, time, params::text AS params FROM events"
                + " WHERE user_id = ANY($1) AND name = ANY($2)")
                .execute(Tuple.of(userIds.toArray(String[]::new), names.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, List<EventFact>> out = new HashMap<>();
                    for (Row row : rows) {
                        out.computeIfAbsent(row.getString("user_id"), id -> new ArrayList<>()).add(new EventFact(
                                row.getString("name"), Sql.instant(row, "time"), json.tree(row.getString("params"))));
                    }
                    return out;
                });
    }

    public Pool pool() {
        return pool;
    }

    /**
     * A user's events, newest first, of one name if given. The user's ids come from the user's
     * index alone (it carries them), and only the page's rows from the table. They are gathered
     * apart from their order: in order, the planner may walk the primary key from the newest
     * event of all users down to this user's, which for a user whose events are old reads most
     * of the table.
     */
    public Uni<List<TrackedEvent>> list(String userId, String name, UUID after, int limit) {
        return pool.preparedQuery("WITH mine AS MATERIALIZED (SELECT id FROM events WHERE user_id = $1"
                + (name == null ? " AND $2::text IS NULL" : " AND name = $2") + "),"
                + " page AS (SELECT id FROM mine WHERE $3::uuid IS NULL OR id < $3 ORDER BY id DESC LIMIT $4)"
                + " SELECT e.id, e.user_id, e.name, e.params::text AS params, e.time, e.received_at, e.client_id"
                + " FROM page JOIN events e ON e.id = page.id ORDER BY e.id DESC")
                .execute(Tuple.of(userId, name, after, limit))
                .map(rows -> {
                    List<TrackedEvent> out = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        out.add(new TrackedEvent(row.getUUID("id"), row.getString("user_id"), row.getString("name"),
                                json.tree(row.getString("params")), Sql.instant(row, "time"),
                                Sql.instant(row, "received_at"), row.getString("client_id")));
                    }
                    return out;
                });
    }
}
