package dev.herald.platform;

import jakarta.inject.Singleton;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.Pool;

/**
 * Creates the database pool as Quarkus configures it, but with a prepared statement cache that
 * keeps Herald's longest statements.
 */
@Singleton
public class DatabasePool implements PgPoolCreator {

    /**
     * The longest statement text kept prepared on a connection. The SQL client's default, 2,048
     * characters, is within a few dozen of the claim (1,981) and the recording of outcomes
     * (2,000). A statement over it is parsed and planned again at every execution: in a build
     * where those two had grown past it, each cost Postgres about a millisecond more
     * (bench/RESULTS.md). Statement texts are Herald's own; what users send is always a parameter.
     */
    static final int SQL_LIMIT = 16_384;

    @Override
    @SuppressWarnings("deprecation") // Quarkus takes the pool a creator returns as a PgPool.
    public Pool create(Input input) {
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            options.setPreparedStatementCacheSqlLimit(SQL_LIMIT);
        }
        return PgPool.pool(input.vertx(), input.pgConnectOptionsList(), input.poolOptions());
    }
}
