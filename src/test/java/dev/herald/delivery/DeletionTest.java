package dev.herald.delivery;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.herald.platform.Sql;
import dev.herald.support.MovableClock;
import dev.herald.support.Rows;
import dev.herald.support.Users;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Attempts have no foreign key to their deliveries (V9): whatever deletes deliveries deletes
 * their attempts, including the attempt of an outcome recorded while the deletion waited for it.
 */
@QuarkusTest
class DeletionTest {

    @Inject
    Pool pool;
    @Inject
    MovableClock clock;

    @Test
    void aDeletedCampaignLeavesNoAttempts() {
        String user = Users.user("deleted-campaign").put();
        String campaign = campaign("deleted with its attempts", webhook("http://127.0.0.1:9/hook")).create();
        UUID finished = insertDelivery(campaign, user, "DELIVERED", null);
        insertAttempt(finished);

        admin().delete("/api/v1/campaigns/{id}", campaign).then().statusCode(204);

        assertThat(attempts(finished)).isZero();
    }

    /**
     * An erasure that finds a delivery whose outcome is being recorded waits for it; the attempt
     * that outcome commits meanwhile is not in the erasure's snapshot, and a second statement
     * must remove it.
     */
    @Test
    void anOutcomeRecordedWhileItsUserIsErasedLeavesNoAttempt() throws Exception {
        String user = Users.user("erased").put();
        String campaign = campaign("erased user's deliveries", webhook("http://127.0.0.1:9/hook")).create();
        // Whole milliseconds, so that the lease written and the one the outcome names agree.
        Instant lease = clock.instant().truncatedTo(ChronoUnit.MILLIS).plus(Duration.ofMinutes(1));
        UUID sending = insertDelivery(campaign, user, "SENDING", lease);

        SqlConnection recording = pool.getConnection().await().indefinitely();
        try {
            Transaction tx = recording.begin().await().indefinitely();
            recording.query(DeliveryStore.BY_INDEX).execute().await().indefinitely();
            recording.preparedQuery(DeliveryStore.RECORD).execute(delivered(sending, lease)).await().indefinitely();
            assertThat(attempts(sending)).as("not committed yet").isZero();

            CompletableFuture<Integer> erasure = CompletableFuture.supplyAsync(
                    () -> admin().delete("/api/v1/users/{id}", user).then().extract().statusCode());
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::someoneWaitsForARowLock);
            tx.commit().await().indefinitely();

            assertThat(erasure.get()).isEqualTo(204);
        } finally {
            recording.close().await().indefinitely();
        }
        assertThat(Rows.deliveries(pool, "id = $1", sending)).isZero();
        assertThat(attempts(sending)).isZero();
    }

    private UUID insertDelivery(String campaign, String user, String status, Instant lease) {
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        pool.preparedQuery("INSERT INTO deliveries (id, campaign_id, user_id, host, action_id, action_index, status,"
                + " attempt_count, due_at, locked_until, created_at, updated_at, finished_at) VALUES ($1, $2, $3,"
                + " '127.0.0.1:9', $4, 0, $5, 1, $6, $7, $6, $6, CASE WHEN $5 IN ('PENDING', 'SENDING') THEN NULL"
                + " ELSE $6::timestamptz END)")
                .execute(Tuple.from(new Object[] { id, UUID.fromString(campaign), user, UUID.randomUUID(), status,
                        Sql.ts(now), Sql.ts(lease) }))
                .await().indefinitely();
        return id;
    }

    private void insertAttempt(UUID delivery) {
        pool.preparedQuery("INSERT INTO attempts (delivery_id, number, started_at, latency_ms, status_code)"
                + " VALUES ($1, 1, $2, 5, 200)").execute(Tuple.of(delivery, Sql.ts(clock.instant())))
                .await().indefinitely();
    }

    /** A DELIVERED outcome of the claim on {@code id} held until {@code lease}, in RECORD's parameters. */
    private Tuple delivered(UUID id, Instant lease) {
        OffsetDateTime now = Sql.ts(clock.instant());
        return Tuple.from(new Object[] { new UUID[] { id }, new String[] { "DELIVERED" }, new String[1],
                new OffsetDateTime[1], new Integer[] { 200 }, new String[1], new OffsetDateTime[] { now },
                new OffsetDateTime[] { Sql.ts(lease) }, new OffsetDateTime[] { now }, new Integer[] { 5 },
                new String[] { "{}" }, new String[] { "ok" }, new OffsetDateTime[1], new OffsetDateTime[] { now },
                new String[1], new String[1] });
    }

    private long attempts(UUID delivery) {
        return Rows.count(pool, "attempts", "delivery_id = $1", delivery);
    }

    private boolean someoneWaitsForARowLock() {
        return pool.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND wait_event_type = 'Lock' AND wait_event = 'transactionid'").execute().await().indefinitely()
                .iterator().next().getLong(0) > 0;
    }
}
