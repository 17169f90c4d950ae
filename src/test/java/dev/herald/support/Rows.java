package dev.herald.support;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Counts rows straight from the database, for what the API does not show (erasure, fan-out). */
public final class Rows {

    private Rows() {
    }

    /** {@code SELECT count(*) FROM table WHERE where}, with {@code $1...} bound to {@code parameters}. */
    public static long count(Pool pool, String table, String where, Object... parameters) {
        return pool.preparedQuery("SELECT count(*) FROM " + table + " WHERE " + where)
                .execute(Tuple.from(parameters)).await().indefinitely().iterator().next().getLong(0);
    }

    /** The entries (distinct entry ids) among the deliveries that match {@code where}. */
    public static long entries(Pool pool, String where, Object... parameters) {
        return pool.preparedQuery("SELECT count(DISTINCT entry_id) FROM deliveries WHERE " + where)
                .execute(Tuple.from(parameters)).await().indefinitely().iterator().next().getLong(0);
    }

    /** The deliveries that match {@code where}. */
    public static long deliveries(Pool pool, String where, Object... parameters) {
        return count(pool, "deliveries", where, parameters);
    }
}
