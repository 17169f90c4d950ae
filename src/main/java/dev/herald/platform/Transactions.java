package dev.herald.platform;

import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple3;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Transactions sent to Postgres in one round trip. The client writes the commands given to one
 * connection in order without waiting for each answer (pipelining), so BEGIN, a statement and
 * COMMIT need not wait for each other as they do in {@link Pool#withTransaction}: on a busy
 * machine each round trip costs milliseconds of waiting to be scheduled on both sides.
 */
public final class Transactions {

    private Transactions() {
    }

    /**
     * Runs one statement in a transaction of its own with {@code settings} ({@code SET LOCAL}s):
     * BEGIN with the settings, the statement and COMMIT all go out at once, one round trip where
     * separate commands take four. {@code statement} must send exactly one command when
     * subscribed to, or COMMIT would come before the rest. A failed statement's COMMIT rolls
     * the transaction back; the connection goes back to the pool only after all three have been
     * answered.
     */
    public static <T> Uni<T> inTransactionOfOne(Pool pool, String settings, Function<SqlConnection, Uni<T>> statement) {
        return pool.withConnection(conn -> Uni.combine().all()
                .unis(conn.query("BEGIN; " + settings).execute(), Uni.createFrom().deferred(() -> statement.apply(conn)),
                        conn.query("COMMIT").execute())
                .collectFailures().asTuple()
                .map(Tuple3::getItem2));
    }
}
