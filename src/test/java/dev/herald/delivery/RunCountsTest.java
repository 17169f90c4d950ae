package dev.herald.delivery;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.send;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.dispatch.Dispatcher;
import dev.herald.support.Campaigns.Limits;
import dev.herald.support.MovableClock;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A run's counts by status (V11's triggers, {@link RunCounts}) agree with its deliveries after
 * every kind of statement that adds, moves or removes them, whether or not the changes have been
 * folded yet: the statements below on deliveries of a DRAFT campaign, which no dispatcher claims
 * from, and the claims (common and rate-limited) and outcomes of runs really sent.
 */
@QuarkusTest
class RunCountsTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    Pool pool;
    @Inject
    RunCounts counts;
    @Inject
    MovableClock clock;
    @Inject
    Dispatcher dispatcher;

    private static Receiver receiver() {
        Receiver receiver = receivers.fresh();
        receiver.reply("/ok", r -> Receiver.Reply.of(204));
        receiver.reply("/fails", r -> Receiver.Reply.of(500));
        return receiver;
    }

    @Test
    void claimsAndOutcomesCountTheirRuns() {
        List<String> users = List.of(user("counted").with("outcome", "ok").put(),
                user("counted").with("outcome", "ok").put(), user("counted").with("outcome", "ok").put(),
                user("counted").with("outcome", "fails").put(), user("counted").with("outcome", "fails").put());
        // One campaign goes through the common claim, the other through the rate-limited one; a
        // receiver each, so that one's failures do not hold the other back.
        Receiver first = receiver();
        Receiver second = receiver();
        UUID common = UUID.fromString(send(campaign("counted, common",
                webhook(first.url("/{user.outcome}")).withMaxAttempts(2)).start(), users));
        UUID limited = UUID.fromString(send(campaign("counted, limited",
                webhook(second.url("/{user.outcome}")).withMaxAttempts(2)).withLimits(Limits.maxPerMinute(100)).start(),
                users));

        // Delivered, or waiting for a second attempt after a first that failed.
        Map<DeliveryStatus, Integer> firstAttempts = Map.of(DeliveryStatus.DELIVERED, 3, DeliveryStatus.PENDING, 2);
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> first.at("/fails").size() == 2 && second.at("/fails").size() == 2
                        && truth(common).equals(firstAttempts) && truth(limited).equals(firstAttempts));
        assertAgree(common, limited);

        Map<DeliveryStatus, Integer> ended = Map.of(DeliveryStatus.DELIVERED, 3, DeliveryStatus.FAILED, 2);
        // Time moves to each next attempt; a receiver's breaker, opened by its failures, lets one
        // through at a time once its delay (real time) is over.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            Instant due = nextDue(common, limited);
            if (due != null && due.isAfter(clock.instant())) {
                clock.advance(Duration.between(clock.instant(), due).plusMillis(10));
            }
            dispatcher.wakeUp();
            return truth(common).equals(ended) && truth(limited).equals(ended);
        });
        assertAgree(common, limited);
        counts.fold().await().indefinitely();
        assertAgree(common, limited);
    }

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
                + " reason = CASE WHEN user_id IN ('u1', 'u2', 'u3') THEN 'RETRIES_EXHAUSTED' END,"
                + " locked_until = NULL, due_at = NULL, finished_at = now() WHERE status = 'SENDING' AND run_id = $1", a);
        sql("UPDATE deliveries SET status = 'CANCELLED', reason = 'CAMPAIGN_FINISHED', due_at = NULL, finished_at = now()"
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

    private Instant nextDue(UUID... runs) {
        OffsetDateTime due = pool.preparedQuery("SELECT min(due_at) AS due FROM deliveries WHERE run_id = ANY($1)"
                + " AND status = 'PENDING'").execute(Tuple.of(runs)).await().indefinitely().iterator().next()
                .getOffsetDateTime("due");
        return due == null ? null : due.toInstant();
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
