package dev.herald.delivery;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A run's counts by status (V11's triggers, {@link RunCounts}) agree with its deliveries after
 * every kind of statement that adds, moves or removes them, whether or not the changes have been
 * folded yet. The deliveries belong to a DRAFT campaign, which no dispatcher claims from.
 */
@QuarkusTest
class RunCountsTest {

    @Inject
    Pool pool;
    @Inject
    RunCounts counts;

    @Test
    void countsFollowEveryStatementOnDeliveries() {
        String campaign = campaign("counted runs", webhook("http://127.0.0.1:9/hook")).create();
        UUID a = run(campaign);
        UUID b = run(campaign);

        // One statement adds to two runs, and a delivery of no run.
        sql("INSERT INTO deliveries (campaign_id, run_id, user_id, host, action_id, action_index, status, due_at,"
                + " created_at, updated_at) SELECT $1, CASE WHEN g <= 300 THEN $2 WHEN g <= 350 THEN $3 END, 'u' || g,"
                + " '127.0.0.1:9', gen_random_uuid(), 0, 'PENDING', now(), now(), now()"
                + " FROM generate_series(1, 360) g", UUID.fromString(campaign), a, b);
        assertAgree(a, b);

        sql("UPDATE deliveries SET status = 'SENDING', locked_until = now() WHERE run_id = $1"
                + " AND user_id IN (SELECT 'u' || g FROM generate_series(1, 100) g)", a);
        assertAgree(a, b);
        counts.fold().await().indefinitely();
        assertAgree(a, b);

        // A statement that moves no delivery between statuses changes no count.
        long changes = Rows.count(pool, "run_count_changes", "true");
        sql("UPDATE deliveries SET updated_at = now() WHERE campaign_id = $1", UUID.fromString(campaign));
        assertThat(Rows.count(pool, "run_count_changes", "true")).isEqualTo(changes);
        // Nor does one on deliveries of no run.
        sql("INSERT INTO deliveries (campaign_id, user_id, host, action_id, action_index, status, due_at, created_at,"
                + " updated_at) VALUES ($1, 'no-run', '127.0.0.1:9', gen_random_uuid(), 0, 'PENDING', now(), now(), now())",
                UUID.fromString(campaign));
        sql("UPDATE deliveries SET status = 'SENDING' WHERE user_id = 'no-run' AND campaign_id = $1",
                UUID.fromString(campaign));
        assertThat(Rows.count(pool, "run_count_changes", "true")).isEqualTo(changes);

        sql("UPDATE deliveries SET status = CASE WHEN user_id IN ('u1', 'u2', 'u3') THEN 'FAILED' ELSE 'DELIVERED' END,"
                + " locked_until = NULL, due_at = NULL, finished_at = now() WHERE status = 'SENDING' AND run_id = $1", a);
        sql("UPDATE deliveries SET status = 'CANCELLED', due_at = NULL, finished_at = now()"
                + " WHERE run_id = $1 AND user_id IN (SELECT 'u' || g FROM generate_series(300, 320) g)", b);
        assertAgree(a, b);

        sql("DELETE FROM deliveries WHERE campaign_id = $1 AND user_id IN (SELECT 'u' || g FROM generate_series(90, 310) g)",
                UUID.fromString(campaign));
        assertAgree(a, b);
        counts.fold().await().indefinitely();
        assertAgree(a, b);
        assertThat(Rows.count(pool, "run_count_changes", "run_id = ANY($1)", (Object) new UUID[] { a, b })).isZero();
    }

    @Test
    void changesOfADeletedRunAreDropped() {
        String campaign = campaign("deleted run", webhook("http://127.0.0.1:9/hook")).create();
        UUID run = run(campaign);
        sql("INSERT INTO deliveries (campaign_id, run_id, user_id, host, action_id, action_index, status, due_at,"
                + " created_at, updated_at) SELECT $1, $2, 'u' || g, '127.0.0.1:9', gen_random_uuid(), 0, 'PENDING',"
                + " now(), now(), now() FROM generate_series(1, 10) g", UUID.fromString(campaign), run);
        counts.fold().await().indefinitely();
        sql("UPDATE deliveries SET status = 'SENDING' WHERE run_id = $1", run);

        admin().delete("/api/v1/campaigns/{id}", campaign).then().statusCode(204);
        counts.fold().await().indefinitely();

        assertThat(Rows.count(pool, "run_counts", "run_id = $1", run)).isZero();
        assertThat(Rows.count(pool, "run_count_changes", "run_id = $1", run)).isZero();
    }

    private UUID run(String campaign) {
        UUID id = UUID.randomUUID();
        sql("INSERT INTO runs (id, campaign_id, kind, status, created_at) VALUES ($1, $2, 'MANUAL', 'STARTED', now())",
                id, UUID.fromString(campaign));
        return id;
    }

    private void assertAgree(UUID... runs) {
        Map<UUID, Map<DeliveryStatus, Integer>> counted = counts.byRun(List.of(runs)).await().indefinitely();
        for (UUID run : runs) {
            assertThat(counted.getOrDefault(run, Map.of())).as("run %s", run).isEqualTo(truth(run));
        }
    }

    private Map<DeliveryStatus, Integer> truth(UUID run) {
        Map<DeliveryStatus, Integer> truth = new EnumMap<>(DeliveryStatus.class);
        for (Row row : pool.preparedQuery("SELECT status, count(*)::int AS n FROM deliveries WHERE run_id = $1"
                + " GROUP BY status").execute(Tuple.of(run)).await().indefinitely()) {
            truth.put(DeliveryStatus.valueOf(row.getString("status")), row.getInteger("n"));
        }
        return truth;
    }

    private void sql(String statement, Object... parameters) {
        pool.preparedQuery(statement).execute(Tuple.from(parameters)).await().indefinitely();
    }
}
