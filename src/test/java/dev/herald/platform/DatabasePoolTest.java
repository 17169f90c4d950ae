package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Statements longer than the SQL client's default limit stay prepared on their connection. */
@QuarkusTest
class DatabasePoolTest {

    @Inject
    Pool pool;

    @Test
    void aLongStatementIsPreparedOnceAndKept() {
        // Longer than the client's default of 2,048 characters, shorter than the pool's limit.
        String statement = "SELECT $1::int AS n /* " + "x".repeat(DatabasePool.SQL_LIMIT / 2) + " */";
        long kept = pool.withConnection(conn -> conn.preparedQuery(statement).execute(Tuple.of(1))
                .chain(() -> conn.preparedQuery(statement).execute(Tuple.of(2)))
                .chain(() -> conn.preparedQuery("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement = $1")
                        .execute(Tuple.of(statement)))
                .map(rows -> rows.iterator().next().getLong("n")))
                .await().indefinitely();
        assertThat(kept).isEqualTo(1);
    }
}
