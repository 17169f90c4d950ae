package dev.herald.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.support.Held;
import dev.herald.support.Http;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/**
 * A batch locks the users whose events change or trigger something in id order, whatever order
 * its events name them in, so that two batches of overlapping users cannot deadlock: while it
 * waits for one user, it holds every user before that one and none after.
 */
@QuarkusTest
class UserLockOrderTest {

    @Inject
    UserStore users;
    @Inject
    Pool pool;
    @Inject
    Clock clock;

    @Test
    void whileABatchWaitsForAUserItHoldsTheUsersBeforeItAndNoneAfter() {
        String prefix = Http.userId("lock-order");
        String first = prefix + "-1";
        String second = prefix + "-2";
        String third = prefix + "-3";
        List<String> named = List.of(third, first, second);
        users.createAndLock(pool, named, List.of(), clock.instant()).await().indefinitely();

        Held.whileHolding(pool, holdUser(second), () -> {
            CompletableFuture<Map<String, User>> batch = pool
                    .withTransaction(conn -> users.createAndLock(conn, named, named, clock.instant()))
                    .subscribeAsCompletionStage().toCompletableFuture();
            await().atMost(Duration.ofSeconds(10)).until(() -> Rows.count(pool, "pg_stat_activity",
                    "datname = current_database() AND wait_event_type = 'Lock'") >= 1);

            assertThat(lockedElsewhere(first)).as("the user before the one waited for").isTrue();
            assertThat(lockedElsewhere(third)).as("the user after it").isFalse();
            assertThat(batch).isNotDone();
        });
    }

    private static Function<SqlConnection, Uni<?>> holdUser(String id) {
        return conn -> conn.preparedQuery("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE").execute(Tuple.of(id));
    }

    /** Whether another transaction holds the user's row, asked without waiting. */
    private boolean lockedElsewhere(String id) {
        return pool.withTransaction(conn -> conn
                .preparedQuery("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE NOWAIT").execute(Tuple.of(id)))
                .map(rows -> false)
                .onFailure(e -> e instanceof PgException pg && "55P03".equals(pg.getSqlState())).recoverWithItem(true)
                .await().atMost(Duration.ofSeconds(5));
    }
}
