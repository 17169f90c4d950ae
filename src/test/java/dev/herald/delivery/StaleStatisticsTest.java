package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.platform.Sql;
import dev.herald.support.MovableClock;
import dev.herald.support.Plans;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Statistics that no longer fit the table: taken over finished history before a run wrote
 * thousands of unfinished deliveries (Postgres then thinks the index of unfinished deliveries
 * empty until the next ANALYZE), or taken while the table was small, with the statements
 * prepared then. The claim and the recording of outcomes must still read no more deliveries
 * than they touch: each statement is explained, executed and rolled back here, in the settings
 * it runs with, and the rows of deliveries its plan's scans read are counted.
 */
@QuarkusTest
class StaleStatisticsTest {

    private static final int HISTORY = 100_000;
    private static final int UNFINISHED = 5_000;
    private static final int CLAIM = 200;
    private static final int RUN = 20_000;

    @Inject
    Pool pool;
    @Inject
    MovableClock clock;

    private final UUID campaign = UUID.randomUUID();

    @AfterEach
    void removeRows() {
        pool.preparedQuery("DELETE FROM deliveries WHERE campaign_id = $1").execute(Tuple.of(campaign))
                .await().indefinitely();
    }

    @Test
    void claimsAndOutcomesDoNotWalkUnfinishedDeliveriesTheStatisticsMiss() {
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
        JsonNode record = analyzed(DeliveryStore.BY_INDEX, DeliveryStore.RECORD, outcomes(ids, lease, now));
        assertThat(rowsRead(record)).as("deliveries recording outcomes read").isEqualTo(CLAIM);
        JsonNode last = analyzed(DeliveryStore.RECORD_LAST_SETTINGS, DeliveryStore.RECORD_LAST,
                outcomes(ids, lease, now));
        assertThat(rowsRead(last)).as("deliveries recording last outcomes read").isEqualTo(CLAIM);
        assertThat(outcomesRead(last)).as("outcomes recording last outcomes read").isEqualTo(CLAIM);
    }

    /**
     * A prepared statement keeps the generic plan it made while the table was small until the
     * next ANALYZE, which autovacuum takes a minute or more to run. Here the claim and the
     * recording of outcomes are prepared and run ten times in their own settings, as the pump
     * runs them, before a run of two actions for {@code RUN} users is written; nothing analyzes
     * the table after. Planned so, before {@code DeliveryStore.BY_INDEX}, a claim of 200 read
     * 240,000 rows of deliveries here; recording 200 outcomes, prepared the same way by hand over
     * a run of 20,000, read four million (the run once for each outcome).
     */
    @Test
    void statementsPlannedBeforeARunWasWrittenDoNotWalkTheRun() {
        // Statistics of the table as other tests left it, small; without the dead rows they left,
        // which would make Postgres take the table for empty whatever its size (until autovacuum).
        write("VACUUM (ANALYZE) deliveries", Tuple.tuple());
        plannedSmallThenRunOver(false);
    }

    /**
     * As a new deployment plans them: on an empty table. Planned so, recording outcomes with the
     * outcomes joined to deliveries by id alone walked every delivery of the run for each batch.
     */
    @Test
    void statementsPlannedOnAnEmptyTableDoNotWalkTheRun() {
        plannedSmallThenRunOver(true);
    }

    /**
     * Prepares the claim and the recordings, runs them, writes a run, and returns their plans
     * over it. With {@code empty}, the connection sees an empty table of deliveries of its own
     * instead of the shared one (a temporary table of that name, dropped at the end).
     */
    private void plannedSmallThenRunOver(boolean empty) {
        // Whole milliseconds, so that the leases written and those in the statement's text agree.
        Instant due = clock.instant().truncatedTo(ChronoUnit.MILLIS).plus(Duration.ofDays(3650));
        Instant lease = due.plus(Duration.ofMinutes(1));
        Instant now = lease.plus(Duration.ofMinutes(1));
        UUID run = UUID.randomUUID();
        String shadow = empty
                ? "CREATE TEMPORARY TABLE deliveries (LIKE public.deliveries INCLUDING ALL); ANALYZE pg_temp.deliveries"
                : "SELECT 1";
        JsonNode[] plans = pool.withConnection(conn -> conn.query(shadow).execute()
                .chain(() -> conn.query("PREPARE stale_claim AS " + DeliveryStore.CLAIM_OTHERS).execute())
                .chain(() -> conn.query("PREPARE stale_record AS " + DeliveryStore.RECORD).execute())
                .chain(() -> conn.query("PREPARE stale_record_last AS " + DeliveryStore.RECORD_LAST).execute())
                .chain(() -> tenTimes(conn, DeliveryStore.CLAIM_SETTINGS, claimExecution(now.minus(Duration.ofDays(7300)))))
                .chain(() -> tenTimes(conn, DeliveryStore.BY_INDEX, recordExecution("stale_record", List.of(), lease, now)))
                .chain(() -> tenTimes(conn, DeliveryStore.RECORD_LAST_SETTINGS,
                        recordExecution("stale_record_last", List.of(), lease, now)))
                // Held by a claim of an instance that stopped, each with its entry's next action.
                .chain(() -> conn.preparedQuery("INSERT INTO deliveries (campaign_id, run_id, user_id, host, action_id,"
                        + " action_index, status, attempt_count, due_at, locked_until, created_at, updated_at)"
                        + " SELECT $1, $2, 'run-' || g, 'stale.example:1', $3, i, CASE i WHEN 0 THEN 'SENDING' ELSE"
                        + " 'PENDING' END, i, CASE i WHEN 0 THEN $4 END, CASE i WHEN 0 THEN $5 END, now(), now()"
                        + " FROM generate_series(1, " + RUN + ") g, generate_series(0, 1) i")
                        .execute(Tuple.of(campaign, run, UUID.randomUUID(), Sql.ts(due), Sql.ts(lease))))
                .chain(() -> conn.preparedQuery("SELECT id FROM deliveries WHERE campaign_id = $1 AND action_index = 0"
                        + " ORDER BY id LIMIT " + CLAIM).execute(Tuple.of(campaign)))
                .map(rows -> rows.stream().map(row -> row.getUUID("id")).toList())
                .chain(ids -> explained(conn, DeliveryStore.CLAIM_SETTINGS, claimExecution(now), Tuple.tuple())
                        .chain(claim -> explained(conn, DeliveryStore.BY_INDEX,
                                recordExecution("stale_record", ids, lease, now), Tuple.tuple())
                                .chain(outcomes -> explained(conn, DeliveryStore.RECORD_LAST_SETTINGS,
                                        recordExecution("stale_record_last", ids, lease, now), Tuple.tuple())
                                        .map(last -> new JsonNode[] { claim, outcomes, last }))))
                .eventually(() -> conn.query("DEALLOCATE stale_claim; DEALLOCATE stale_record; DEALLOCATE stale_record_last;"
                        + " DROP TABLE IF EXISTS pg_temp.deliveries").execute()))
                .await().indefinitely();
        assertThat(rowsRead(plans[0])).as("deliveries the claim read").isBetween(3L * CLAIM, 3L * CLAIM + 100);
        // Rows read are not all: a stale plan can also walk a whole index for each row it updates.
        assertThat(plans[0].path("Shared Hit Blocks").asLong() + plans[0].path("Shared Read Blocks").asLong())
                .as("buffers the claim read").isLessThan(50L * CLAIM);
        // Each outcome's delivery, and its entry's next action, made due.
        assertThat(rowsRead(plans[1])).as("deliveries recording outcomes read").isEqualTo(2L * CLAIM);
        // Its plan made on the small table and kept, as the statement for outcomes without a next action is.
        assertThat(rowsRead(plans[2])).as("deliveries recording last outcomes read").isEqualTo(CLAIM);
        assertThat(plans[2].path("Shared Hit Blocks").asLong() + plans[2].path("Shared Read Blocks").asLong())
                .as("buffers recording last outcomes read").isLessThan(50L * CLAIM);
        assertThat(outcomesRead(plans[2])).as("outcomes recording last outcomes read").isEqualTo(CLAIM);
    }

    private static String claimExecution(Instant now) {
        return "EXECUTE stale_claim('" + now + "'::timestamptz, '" + now.plusSeconds(60) + "'::timestamptz, " + CLAIM
                + ", '{}'::text[], '{}'::int[], " + CLAIM + ")";
    }

    /**
     * {@code statement} ({@code stale_record} or {@code stale_record_last}) executed for DELIVERED
     * outcomes of {@code ids}, each making its next action due where the statement does that.
     */
    private static String recordExecution(String statement, List<UUID> ids, Instant lease, Instant now) {
        int n = ids.size();
        String uuids = "ARRAY[" + ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(",")) + "]::uuid[]";
        return "EXECUTE " + statement + "(" + uuids + ", " + filled(n, "'DELIVERED'", "text") + ", " + filled(n, "NULL", "text")
                + ", " + filled(n, "NULL", "timestamptz") + ", " + filled(n, "200", "int") + ", "
                + filled(n, "NULL", "text") + ", " + filled(n, "'" + now + "'", "timestamptz") + ", "
                + filled(n, "'" + lease + "'", "timestamptz") + ", " + filled(n, "'" + now.minusMillis(5) + "'", "timestamptz")
                + ", " + filled(n, "5", "int") + ", " + filled(n, "'{}'", "text") + ", " + filled(n, "'ok'", "text") + ", "
                + filled(n, "'" + now + "'", "timestamptz") + ", " + filled(n, "'" + now + "'", "timestamptz") + ", "
                + filled(n, "'" + REQUEST + "'", "text") + ", " + filled(n, "NULL", "text") + ")";
    }

    /** An SQL array of {@code n} times {@code value}, of type {@code type}. */
    private static String filled(int n, String value, String type) {
        return "array_fill(" + value + "::" + type + ", ARRAY[" + n + "])";
    }

    /** Executes {@code sql} ten times, each in a transaction with {@code settings}, rolled back. */
    private static Uni<Void> tenTimes(SqlConnection conn, String settings, String sql) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int i = 0; i < 10; i++) {
            chain = chain.chain(() -> conn.begin().chain(tx -> conn.query(settings).execute()
                    .chain(() -> conn.query(sql).execute())
                    .call(tx::rollback)))
                    .replaceWithVoid();
        }
        return chain;
    }

    /** The plan of {@code sql} as executed with {@code settings}, in a transaction rolled back. */
    private Uni<JsonNode> explained(SqlConnection conn, String settings, String sql, Tuple parameters) {
        return conn.begin().chain(tx -> conn.query(settings).execute()
                .chain(() -> conn.preparedQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql).execute(parameters))
                .call(tx::rollback))
                .map(rows -> Plans.of(rows.iterator().next().getValue(0).toString()));
    }

    /** The request each outcome stores, as rendered for its first attempt. */
    private static final String REQUEST = "{\"method\":\"POST\",\"url\":\"https://hooks.example.com/\",\"headers\":{},\"body\":\"{}\"}";

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
                bodies, new OffsetDateTime[n], finished, filled(new String[n], REQUEST), new String[n] });
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

    /** {@link #explained} on a connection of its own, and a check that it left the rows as they were. */
    private JsonNode analyzed(String settings, String sql, Tuple parameters) {
        JsonNode plan = pool.withConnection(conn -> explained(conn, settings, sql, parameters)).await().indefinitely();
        assertThat(count("status = 'SENDING'")).as("rolled back").isEqualTo(UNFINISHED);
        return plan;
    }

    /**
     * Rows the plan read of the outcomes it was given (the CTE {@code v}), over all loops: once
     * each, or the join reads them again for every delivery.
     */
    private static long outcomesRead(JsonNode node) {
        long read = 0;
        if ("v".equals(node.path("CTE Name").asText())) {
            read += node.path("Actual Rows").asLong() * node.path("Actual Loops").asLong();
        }
        for (JsonNode child : node.path("Plans")) {
            read += outcomesRead(child);
        }
        return read;
    }

    /** Rows of deliveries the plan's scans read, kept or filtered out, over all their loops. */
    private static long rowsRead(JsonNode node) {
        return Plans.rowsRead(node, "deliveries");
    }
}
