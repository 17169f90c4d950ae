package dev.herald.dispatch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.support.Management;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Whichever database connection the first event after a start takes, the warm-up has sent the
 * events' statements on it: each is prepared there already.
 */
@QuarkusTest
@TestProfile(WarmupConnectionsTest.TwelveConnections.class)
class WarmupConnectionsTest {

    static final int CONNECTIONS = 12;

    /** A pool of its own size, so that the warm-up is seen to follow the setting. */
    public static class TwelveConnections implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.datasource.reactive.max-size", String.valueOf(CONNECTIONS));
        }
    }

    @Inject
    Pool pool;

    @Test
    void everyConnectionHasTheFirstEventsStatementsPrepared() {
        await().atMost(Duration.ofSeconds(30)).until(() -> given().port(Management.PORT).get("/q/health/ready")
                .statusCode() == 200);
        // All of the pool's connections held at once, so that none is looked at twice.
        List<SqlConnection> held = Multi.createFrom().range(0, CONNECTIONS)
                .onItem().transformToUniAndMerge(i -> pool.getConnection())
                .collect().asList().await().atMost(Duration.ofSeconds(10));
        try {
            for (SqlConnection conn : held) {
                List<String> prepared = new ArrayList<>();
                for (Row row : conn.query("SELECT statement FROM pg_prepared_statements").executeAndAwait()) {
                    prepared.add(row.getString("statement"));
                }
                // A single event that changes nothing, a batch, and an event with user attributes.
                assertThat(prepared).as("statements prepared on one of the pool's connections")
                        .anyMatch(sql -> sql.contains("FOR KEY SHARE SKIP LOCKED")
                                && sql.contains("INSERT INTO events"))
                        .anyMatch(sql -> sql.startsWith("WITH u AS") && sql.contains("INSERT INTO events"))
                        .anyMatch(sql -> sql.contains("DO UPDATE SET attributes = EXCLUDED.attributes"));
            }
        } finally {
            held.forEach(SqlConnection::closeAndAwait);
        }
    }
}
