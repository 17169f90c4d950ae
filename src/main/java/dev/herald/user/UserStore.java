package dev.herald.user;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.audience.Criteria;
import dev.herald.audience.SqlCompiler;
import dev.herald.platform.Json;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The users table. */
@ApplicationScoped
public class UserStore {

    private static final String COLUMNS = "id, attributes::text AS attributes, created_at, updated_at";

    private final Pool pool;
    private final Json json;

    public UserStore(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
    }

    public Pool pool() {
        return pool;
    }

    /**
     * The statement that creates user {@code id} (a parameter such as {@code $2}) with no
     * attributes at {@code now} unless it exists: here and, as a step of its one statement, in
     * the event store's fast path for an event that changes and triggers nothing.
     */
    public static String createIfMissing(String id, String now) {
        return "INSERT INTO users (id, attributes, created_at, updated_at) VALUES (" + id + ", '{}'::jsonb, " + now
                + ", " + now + ") ON CONFLICT (id) DO NOTHING";
    }

    /**
     * SQL that creates the users named in the text array parameter {@code ids} (distinct and
     * sorted) that do not exist, in id order, created at {@code now}: for statements of other
     * stores that need their users to exist.
     */
    public static String createAllIfMissing(String ids, String now) {
        return "INSERT INTO users (id, attributes, created_at, updated_at) SELECT id, '{}'::jsonb, " + now + ", " + now
                + " FROM unnest(" + ids + "::text[]) AS id ORDER BY id ON CONFLICT (id) DO NOTHING";
    }

    /**
     * As {@link #createAllIfMissing}, but only for ids no user row has in the statement's snapshot,
     * so that it never waits for a transaction that holds an existing user (a row being deleted
     * would hold a plain insert's unique check until that transaction ends).
     */
    public static String createAllIfAbsent(String ids, String now) {
        // OFFSET 0 keeps the check a lookup of each id: as an anti join it may be planned as a
        // hash of the whole users table, and a connection keeps a plan made while it was small.
        return "INSERT INTO users (id, attributes, created_at, updated_at) SELECT n.id, '{}'::jsonb, " + now + ", "
                + now + " FROM unnest(" + ids + "::text[]) AS n(id)"
                + " WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = n.id OFFSET 0)"
                + " ORDER BY n.id ON CONFLICT (id) DO NOTHING";
    }

    /**
     * SQL that gives {@code columns} of the users named in the text array parameter {@code ids}
     * that it can lock with {@code lock} (a locking clause), looking up one id at a time:
     * {@code id = ANY(...)} may be planned as a read of the whole table while it is small, and a
     * connection keeps that plan as the table grows.
     */
    public static String lockEach(String ids, String columns, String lock) {
        return "SELECT l.* FROM unnest(" + ids + "::text[]) AS n(id),"
                + " LATERAL (SELECT " + columns + " FROM users WHERE id = n.id " + lock + ") l";
    }

    /** Creates the user or replaces all its attributes. */
    public Uni<User> put(SqlClient client, String id, ObjectNode attributes, Instant now) {
        return client.preparedQuery("INSERT INTO users (id, attributes, created_at, updated_at)"
                + " VALUES ($1, $2::text::jsonb, $3, $3) ON CONFLICT (id) DO UPDATE"
                + " SET attributes = EXCLUDED.attributes, updated_at = EXCLUDED.updated_at RETURNING " + COLUMNS)
                .execute(Tuple.of(id, json.write(attributes), Sql.ts(now))).map(this::first);
    }

    /**
     * Creates the user if needed and locks its row for an update in the transaction of
     * {@code conn}. Both statements go out at once and run in that order: one round trip.
     * {@code NO KEY UPDATE} keeps out whoever changes or deletes the user, and lets through the
     * foreign keys of events that only need it to exist.
     */
    public Uni<User> lockOrCreate(SqlConnection conn, String id, Instant now) {
        return Uni.combine().all().unis(
                conn.preparedQuery(createIfMissing("$1", "$2")).execute(Tuple.of(id, Sql.ts(now))), lock(conn, id))
                .asTuple()
                .map(both -> both.getItem2());
    }

    /**
     * Locks the user's row as {@link #lockOrCreate} does, for a caller whose statement before it
     * on {@code conn} creates the user if missing; null if there is none.
     */
    public Uni<User> lock(SqlConnection conn, String id) {
        return conn.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE id = $1 FOR NO KEY UPDATE")
                .execute(Tuple.of(id)).map(this::first);
    }

    /**
     * Creates the users of {@code ids} that do not exist and locks those of {@code locked}, each
     * in id order, so that two transactions on overlapping sets of users cannot deadlock. Users
     * that are only created are not locked beyond that: an event that changes and triggers
     * nothing needs its user to exist, not to stand still. Gives the locked users by id.
     */
    public Uni<Map<String, User>> createAndLock(SqlClient client, List<String> ids, List<String> locked, Instant now) {
        String[] sorted = ids.stream().distinct().sorted().toArray(String[]::new);
        String[] toLock = locked.stream().distinct().sorted().toArray(String[]::new);
        Uni<Void> created = client.preparedQuery(createAllIfMissing("$1", "$2"))
                .execute(Tuple.of(sorted, Sql.ts(now))).replaceWithVoid();
        if (toLock.length == 0) {
            return created.replaceWith(Map.of());
        }
        return created.chain(() -> client.preparedQuery(lockInOrder("$1", COLUMNS)).execute(Tuple.of((Object) toLock)))
                .map(this::byId);
    }

    /**
     * SQL that locks the users named in the text array parameter {@code ids} (sorted), waiting
     * for each, in the array's order, so that two transactions locking users of one another
     * cannot deadlock; one id at a time, as {@link #lockEach} does.
     */
    public static String lockInOrder(String ids, String columns) {
        // Each lateral lookup locks its row as the loop over the array reaches it.
        return lockEach(ids, columns, "FOR NO KEY UPDATE");
    }

    /**
     * Creates the users of {@code ids} that do not exist, as {@link #createAndLock} does, and
     * locks those that no other transaction holds, without waiting for the others, whatever they
     * hold the user for (an update, or its erasure): a user held elsewhere is left out of the
     * answer, for the caller to take where waiting holds up no one else. Both statements go out
     * at once.
     */
    public Uni<Map<String, User>> createAndLockFree(SqlConnection conn, List<String> ids, Instant now) {
        String[] sorted = ids.stream().distinct().sorted().toArray(String[]::new);
        return Uni.combine().all().unis(createAllIfAbsent(conn, sorted, now), lockFree(conn, sorted))
                .asTuple()
                .map(both -> both.getItem2());
    }

    /**
     * Creates the users of {@code ids} (distinct, sorted) that no row has yet, without waiting
     * for a transaction that holds one that has.
     */
    public Uni<Void> createAllIfAbsent(SqlConnection conn, String[] ids, Instant now) {
        return conn.preparedQuery(createAllIfAbsent("$1", "$2")).execute(Tuple.of(ids, Sql.ts(now))).replaceWithVoid();
    }

    /**
     * Locks the users of {@code ids} as {@link #lock} does, but only those no other transaction
     * holds (SKIP LOCKED): never waits. Gives the users locked, by id.
     */
    public Uni<Map<String, User>> lockFree(SqlConnection conn, String... ids) {
        return conn.preparedQuery(lockEach("$1", COLUMNS, "FOR NO KEY UPDATE SKIP LOCKED"))
                .execute(Tuple.of((Object) ids)).map(this::byId);
    }

    public Uni<User> find(String id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE id = $1").execute(Tuple.of(id))
                .map(this::first);
    }

    /**
     * Whether the user is in {@code audience} as a run's fan-out decides it: the same compiled
     * SQL, over the one user's row. False when there is no such user.
     */
    public Uni<Boolean> inAudience(String id, Criteria audience, Instant now) {
        SqlCompiler.Compiled compiled = SqlCompiler.compile(audience, 2, now);
        List<Object> values = new ArrayList<>();
        values.add(id);
        values.addAll(compiled.params());
        return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = $1 AND " + compiled.sql()
                + ") AS matched").execute(Tuple.from(values))
                .map(rows -> rows.iterator().next().getBoolean("matched"));
    }

    /** The users that exist among {@code ids}, by id. */
    public Uni<Map<String, User>> findAll(List<String> ids) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(String[]::new))).map(this::byId);
    }

    /** Newest first; {@code after} is "createdAt id" of the last user of the previous page. */
    public Uni<List<User>> list(String q, Instant afterCreated, String afterId, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM users"
                + " WHERE ($1::text IS NULL OR strpos(lower(id), lower($1)) > 0)"
                + " AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))"
                + " ORDER BY created_at DESC, id DESC LIMIT $4")
                .execute(Tuple.of(q, Sql.ts(afterCreated), afterId, limit))
                .map(rows -> {
                    List<User> out = new ArrayList<>(rows.size());
                    rows.forEach(row -> out.add(map(row)));
                    return out;
                });
    }

    /** Deletes the user with its events (the foreign key cascades); false when there was none. */
    public Uni<Boolean> delete(SqlClient client, String id) {
        return client.preparedQuery("DELETE FROM users WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.rowCount() > 0);
    }

    private User first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? map(it.next()) : null;
    }

    private Map<String, User> byId(RowSet<Row> rows) {
        Map<String, User> out = new HashMap<>();
        for (Row row : rows) {
            User user = map(row);
            out.put(user.id(), user);
        }
        return out;
    }

    private User map(Row row) {
        return new User(row.getString("id"), (ObjectNode) json.tree(row.getString("attributes")),
                Sql.instant(row, "created_at"), Sql.instant(row, "updated_at"));
    }
}
