package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.platform.Sql;
import dev.herald.support.MovableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * When the table's statistics were taken over finished history and a run has since written
 * thousands of unfinished deliveries, Postgres thinks the index of unfinished deliveries empty
 * until the next ANALYZE. The claim and the recording of outcomes must still read no more
 * deliveries than the claim takes: each statement is explained, executed and rolled back here,
 * and the rows of deliveries its plan's scans read are counted.
 */
@QuarkusTest
class StaleStatisticsTest {

    private static final int HISTORY = 100_000;
    private static final int UNFINISHED = 5_000;
    private static final int CLAIM = 200;

    @Inject
    Pool pool;
    @Inject
    MovableClock clock;
    @Inject
    ObjectMapper mapper;
    @Inject
    DeliveryStore store;

    private final UUID campaign = UUID.randomUUID();

    @AfterEach
    void removeRows() {
        pool.preparedQuery("DELETE FROM deliveries WHERE campaign_id = $1").execute(Tuple.of(campaign))
                .await().indefinitely();
    }

    @Test
    void claimsAndOutcomesDoNotWalkUnfinishedDeliveriesTheStatisticsMiss() throws Exception {
        // Far past the clock, so that this instance's own claims leave these rows alone.
        Instant due = clock.instant().plus(Duration.ofDays(3650));
        Instant lease = due.plus(Duration.ofMinutes(1));
        Instant now = lease.plus(Duration.ofMinutes(1));
        UUID action = UUID.randomUUID();
        write("INSERT INTO deliveries (campaign_id, user_id, host, action_id, action_index, status, attempt_count,"
                + " created_at, updated_at, finished_at) SELECT $1, 'history-' || g, 'stale.example:1', $2, 0,"
                + " 'DELIVERED', 1, now(), now(), now() FROM generate_series(1, " + HISTORY + ") g",
                Tuple.of(campaign, action));
        write("ANALYZE deliveries", Tuple.tuple());
        // Held by a claim of an instance that stopped: claimable again once its lease has ended.
        write("INSERT INTO deliveries (campaign_id, user_id, host, action_id, action_index, status, attempt_count,"
                + " due_at, locked_until, created_at, updated_at) SELECT $1, 'run-' || g, 'stale.example:1', $2, 0,"
                + " 'SENDING', 1, $3, $4, now(), now() FROM generate_series(1, " + UNFINISHED + ") g",
                Tuple.of(campaign, action, Sql.ts(due), Sql.ts(lease)));

        JsonNode claim = analyzed(DeliveryStore.CLAIM_SETTINGS, DeliveryStore.CLAIM_OTHERS, Tuple.from(new Object[] {
                Sql.ts(now), Sql.ts(now.plusSeconds(60)), CLAIM, new String[0], new Integer[0], CLAIM }));
        // The claim reads what it takes three times: walking a host's due rows, locking, updating.
        assertThat(rowsRead(claim)).as("deliveries the claim read").isBetween(3L * CLAIM, 3L * CLAIM + 100);

        List<UUID> ids = pool.preparedQuery("SELECT id FROM deliveries WHERE campaign_id = $1 AND status = 'SENDING'"
                + " ORDER BY id LIMIT " + CLAIM).execute(Tuple.of(campaign)).await().indefinitely().stream()
                .map(row -> row.getUUID("id")).toList();
        JsonNode record = analyzed(null, DeliveryStore.RECORD, outcomes(ids, lease, now));
        assertThat(rowsRead(record)).as("deliveries recording outcomes read").isEqualTo(CLAIM);
    }

    /**
     * Statistics taken when deliveries was small, then a run written: planned from them, a claim
     * read all of the run's deliveries for each row it took, and walked a whole index for each
     * row it updated (2.2 s and 1.8 million buffers for a claim of 200 of 20,000; bench/dispatch
     * once fell to 87 webhooks/s so). The claim is prepared and run ten times first, as the
     * warm-up and the pump do, so that a plan Postgres kept would show too; after the run is
     * written, the check a run's writer makes after each chunk decides to analyze.
     */
    @Test
    void aClaimPlannedBeforeARunWasWrittenDoesNotWalkTheRun() throws Exception {
        Instant due = clock.instant().plus(Duration.ofDays(3650));
        Instant now = due.plus(Duration.ofMinutes(1));
        write("ANALYZE deliveries", Tuple.tuple());
        JsonNode plan = pool.withConnection(conn -> conn.query("PREPARE stale_claim AS " + DeliveryStore.CLAIM_OTHERS)
                .execute()
                .chain(() -> runs(conn, claimExecution(clock.instant().minus(Duration.ofDays(1))), 10))
                .chain(() -> conn.preparedQuery("INSERT INTO deliveries (campaign_id, user_id, host, action_id,"
                        + " action_index, status, attempt_count, due_at, created_at, updated_at) SELECT $1, 'run-' || g,"
                        + " 'stale.example:1', $2, 0, 'PENDING', 0, $3, now(), now() FROM generate_series(1, "
                        + UNFINISHED * 4 + ") g").execute(Tuple.of(campaign, UUID.randomUUID(), Sql.ts(due))))
                .chain(() -> store.analyzeIfOutgrown(UNFINISHED * 4))
                .chain(() -> conn.begin())
                .chain(tx -> conn.query(DeliveryStore.CLAIM_SETTINGS).execute()
                        .chain(() -> conn.query("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + claimExecution(now)).execute())
                        .call(tx::rollback))
                .map(rows -> rows.iterator().next().getValue(0).toString()))
                .map(this::plan)
                .await().indefinitely();
        assertThat(rowsRead(plan)).as("deliveries the claim read").isBetween(3L * CLAIM, 3L * CLAIM + 100);
        // Rows read are not all: a stale plan also walked a whole index for each row it updated.
        assertThat(plan.path("Shared Hit Blocks").asLong() + plan.path("Shared Read Blocks").asLong())
                .as("buffers the claim read").isLessThan(50L * CLAIM);
    }

    private static String claimExecution(Instant now) {
        return "EXECUTE stale_claim('" + now + "'::timestamptz, '" + now.plusSeconds(60) + "'::timestamptz, " + CLAIM
                + ", '{}'::text[], '{}'::int[], " + CLAIM + ")";
    }

    private static Uni<Void> runs(io.vertx.mutiny.sqlclient.SqlConnection conn, String sql, int times) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int i = 0; i < times; i++) {
            chain = chain.chain(() -> conn.query(sql).execute().replaceWithVoid());
        }
        return chain;
    }

    private JsonNode plan(String json) {
        try {
            return mapper.readTree(json).get(0).get("Plan");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Delivered outcomes of the claims on {@code ids}, in {@link DeliveryStore#RECORD}'s parameters. */
    private static Tuple outcomes(List<UUID> ids, Instant lease, Instant now) {
        int n = ids.size();
        Object[] statuses = filled(new String[n], "DELIVERED");
        Object[] codes = filled(new Integer[n], 200);
        Object[] finished = filled(new OffsetDateTime[n], Sql.ts(now));
        Object[] leases = filled(new OffsetDateTime[n], Sql.ts(lease));
        Object[] started = filled(new OffsetDateTime[n], Sql.ts(now.minusMillis(5)));
        Object[] latencies = filled(new Integer[n], 5);
        Object[] headers = filled(new String[n], "{}");
        Object[] bodies = filled(new String[n], "ok");
        return Tuple.from(new Object[] { ids.toArray(UUID[]::new), statuses, new String[n],
                new OffsetDateTime[n], codes, new String[n], finished, leases, started, latencies, headers,
                bodies, new OffsetDateTime[n], finished });
    }

    private static <T> T[] filled(T[] array, T value) {
        Arrays.fill(array, value);
        return array;
    }

    private void write(String sql, Tuple parameters) {
        pool.preparedQuery(sql).execute(parameters).await().indefinitely();
    }

    private long count(String where) {
        return pool.preparedQuery("SELECT count(*) AS n FROM deliveries WHERE campaign_id = $1 AND " + where)
                .execute(Tuple.of(campaign))
                .await().indefinitely().iterator().next().getLong("n");
    }

    /** The plan of {@code sql} as executed, in a transaction (with {@code settings}) rolled back. */
    private JsonNode analyzed(String settings, String sql, Tuple parameters) throws Exception {
        Row row = pool.withConnection(conn -> conn.begin().chain(tx -> (settings == null
                ? Uni.createFrom().voidItem()
                : conn.query(settings).execute().replaceWithVoid())
                .chain(() -> conn.preparedQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + sql).execute(parameters))
                .call(tx::rollback)))
                .await().indefinitely().iterator().next();
        assertThat(count("status = 'SENDING'")).as("rolled back").isEqualTo(UNFINISHED);
        return mapper.readTree(row.getValue(0).toString()).get(0).get("Plan");
    }

    /** Rows of deliveries the plan's scans read, kept or filtered out, over all their loops. */
    private static long rowsRead(JsonNode node) {
        long read = 0;
        if ("deliveries".equals(node.path("Relation Name").asText()) && node.path("Node Type").asText().contains("Scan")) {
            read += (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong())
                    * node.path("Actual Loops").asLong();
        }
        for (JsonNode child : node.path("Plans")) {
            read += rowsRead(child);
        }
        return read;
    }
}
