package dev.herald.support;

import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;

/** Runs test code while another transaction holds row locks, as a concurrent request would. */
public final class Held {

    private Held() {
    }

    /**
     * Takes the locks {@code lock} takes on a connection of its own, in a transaction that stays
     * open while {@code body} runs and is rolled back after it.
     */
    public static void whileHolding(Pool pool, Function<SqlConnection, Uni<?>> lock, Runnable body) {
        SqlConnection conn = pool.getConnection().await().indefinitely();
        try {
            Transaction holding = conn.begin().await().indefinitely();
            lock.apply(conn).await().indefinitely();
            body.run();
            holding.rollback().await().indefinitely();
        } finally {
            conn.closeAndAwait();
        }
    }
}
