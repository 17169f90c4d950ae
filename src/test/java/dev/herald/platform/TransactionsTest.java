package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * One-statement transactions sent in one round trip: the statement runs with the settings, what
 * it changes is kept only when it succeeds, and the connection goes back to the pool with no
 * transaction open.
 */
@QuarkusTest
class TransactionsTest {

    @Inject
    Pool pool;

    @BeforeEach
    void createTable() {
        pool.query("CREATE TABLE IF NOT EXISTS transactions_test (id text PRIMARY KEY)").executeAndAwait();
    }

    @AfterEach
    void dropTable() {
        pool.query("DROP TABLE IF EXISTS transactions_test").executeAndAwait();
    }

    private boolean stored(String id) {
        return pool.preparedQuery("SELECT 1 FROM transactions_test WHERE id = $1").execute(Tuple.of(id))
                .await().indefinitely().size() == 1;
    }

    /**
     * No connection of this database stays in a transaction, as one the pool got back open would:
     * neither another (by its state; Herald's own background work may be in one for a moment,
     * hence the wait) nor the one asking, which the pool may well have given out again (by its
     * transaction having begun before this statement).
     */
    private void noTransactionLeftOpen() {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.query("SELECT (SELECT count(*)"
                + " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                + " AND state LIKE 'idle in transaction%')"
                + " + CASE WHEN now() = statement_timestamp() THEN 0 ELSE 1 END AS n").execute()
                .await().indefinitely().iterator().next().getLong("n") == 0);
    }

    @Test
    void oneStatementRunsWithItsSettingsAndCommits() {
        String a = UUID.randomUUID().toString();
        String setting = Transactions.inTransactionOfOne(pool, "SET LOCAL enable_bitmapscan = off",
                conn -> conn.preparedQuery("WITH i AS (INSERT INTO transactions_test (id) VALUES ($1))"
                        + " SELECT current_setting('enable_bitmapscan') AS s").execute(Tuple.of(a))
                        .map(rows -> rows.iterator().next().getString("s")))
                .await().indefinitely();
        assertThat(setting).isEqualTo("off");
        assertThat(stored(a)).isTrue();
        // SET LOCAL ended with its transaction.
        assertThat(pool.query("SELECT current_setting('enable_bitmapscan') AS s").execute().await().indefinitely()
                .iterator().next().getString("s")).isEqualTo("on");
        noTransactionLeftOpen();
    }

    @Test
    void aFailedSingleStatementLeavesNothingBehind() {
        String a = UUID.randomUUID().toString();
        assertThatThrownBy(() -> Transactions.inTransactionOfOne(pool, "SET LOCAL jit = off",
                conn -> conn.preparedQuery("INSERT INTO transactions_test (id) VALUES ($1), ($1)")
                        .execute(Tuple.of(a))).await().indefinitely()).hasMessageContaining("duplicate key");
        assertThat(stored(a)).isFalse();
        noTransactionLeftOpen();
    }
}
