package dev.herald.dispatch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.support.Management;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/** Readiness waits for the warm-up, which changes nothing anyone can see but its own metrics. */
@QuarkusTest
class WarmupTest {

    @Inject
    HostGuards guards;
    @Inject
    Pool pool;

    @Test
    void readinessReportsTheWarmUpAndItLeavesNoDeliveryNorHost() {
        await().atMost(Duration.ofSeconds(30)).until(() -> given().port(Management.PORT).get("/q/health/ready")
                .statusCode() == 200);
        given().port(Management.PORT).get("/q/health/ready").then()
                .body("checks.find { it.name == 'warm-up' }.status", is("UP"))
                .body("checks.find { it.name == 'warm-up' }.data.state", startsWith("warm in "));
        assertThat(guards.hosts()).noneMatch(host -> host.host().equals("warm-up"));
        assertThat(Rows.deliveries(pool, "user_id = $1", "warm-up")).isZero();
    }
}
