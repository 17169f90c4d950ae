package dev.herald.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.support.Plans;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The users of an event that must not wait are created and locked by statements that a
 * connection prepares once and keeps, often while the users table is small or empty and not yet
 * analyzed (a new deployment; the minute before autovacuum first looks). Such a plan must still
 * look up each user by its key once the table is large, not read all of it for every event.
 */
@QuarkusTest
class UserLookupPlansTest {

    private static final int SMALL = 1_000;
    private static final int GROWN = 20_000;
    private static final int LOOKED_UP = 16;

    @Inject
    Pool pool;

    @ParameterizedTest
    @ValueSource(strings = { "created", "locked if free", "locked in order" })
    void aPlanMadeOnASmallTableLooksUpEachUserOnceItIsLarge(String statement) {
        String sql = switch (statement) {
            case "created" -> UserStore.createAllIfAbsent("$1", "$2") + " RETURNING id";
            case "locked if free" -> UserStore.lockEach("$1", "id", "FOR KEY SHARE SKIP LOCKED");
            default -> UserStore.lockInOrder("$1", "id");
        };
        String small = ids(i -> (i % 2 == 0 ? "small-" : "new-") + (i + 1));
        String grown = ids(i -> "grown-" + (i + 1) * 997);
        JsonNode plan = pool.withConnection(conn -> conn
                // This connection's own users table, small and never analyzed, as a new deployment's
                // is in its first minute: with 1,000 users, `id = ANY($1)` is planned as a read of
                // the whole table.
                .query("CREATE TEMPORARY TABLE users (LIKE public.users INCLUDING ALL)").execute()
                .chain(() -> grow(conn, "small", SMALL))
                // The plan the connection keeps: Postgres keeps the generic plan when it costs no
                // more than the custom ones, as it did for these in the statements of events.
                .chain(() -> conn.query("SET plan_cache_mode = force_generic_plan").execute())
                .chain(() -> conn.query("PREPARE lookup(text[], timestamptz) AS " + sql).execute())
                .chain(() -> times(conn, 10, "EXECUTE lookup(" + small + ", now())"))
                .chain(() -> grow(conn, "grown", GROWN))
                .chain(() -> conn.query("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE lookup(" + grown + ", now())")
                        .execute())
                .map(rows -> Plans.of(rows.iterator().next().getValue(0).toString()))
                .eventually(() -> conn.query("DEALLOCATE lookup; DROP TABLE IF EXISTS pg_temp.users;"
                        + " RESET plan_cache_mode").execute()))
                .await().indefinitely();
        assertThat(Plans.rowsRead(plan, "users")).as("users read by the %s statement", statement)
                .isLessThanOrEqualTo(LOOKED_UP);
    }

    /** An SQL array of {@link #LOOKED_UP} user ids. */
    private static String ids(IntFunction<String> id) {
        return "ARRAY[" + IntStream.range(0, LOOKED_UP).mapToObj(i -> "'" + id.apply(i) + "'")
                .collect(Collectors.joining(",")) + "]::text[]";
    }

    private static Uni<Void> grow(SqlConnection conn, String prefix, int users) {
        return conn.query("INSERT INTO users (id, attributes, created_at, updated_at) SELECT '" + prefix
                + "-' || g, '{}', now(), now() FROM generate_series(1, " + users + ") g").execute().replaceWithVoid();
    }

    private static Uni<Void> times(SqlConnection conn, int n, String sql) {
        Uni<Void> all = Uni.createFrom().voidItem();
        for (int i = 0; i < n; i++) {
            all = all.chain(() -> conn.query(sql).execute()).replaceWithVoid();
        }
        return all;
    }
}
