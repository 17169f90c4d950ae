package dev.herald.dispatch;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.support.Management;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/** Readiness waits for the warm-up, which changes nothing anyone can see but its own metrics. */
@QuarkusTest
class WarmupTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    HostGuards guards;
    @Inject
    Pool pool;
    @Inject
    @Readiness
    Warmup warmup;
    @Inject
    Dispatcher dispatcher;

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

    /**
     * With a live campaign the warm-up hands the dispatcher a made-up delivery and sends a
     * request to the API: neither shows in any metric, host, delivery or receiver.
     */
    @Test
    void aWarmUpOverLiveCampaignsIsSeenNowhere() {
        Receiver receiver = receivers.fresh();
        campaign("warm-up-live", webhook(receiver.url("/live"))).start();
        List<String> hostsBefore = hosts();
        String metricsBefore = Management.metrics();

        warmup.warmUp().await().atMost(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.idle() && dispatcher.inFlight() == 0);

        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> {
            String metrics = Management.metrics();
            return !metrics.contains("herald_warm_up")
                    && unchanged(metricsBefore, metrics, "herald_attempts_seconds_count")
                    && unchanged(metricsBefore, metrics, "herald_deliveries_finished_total")
                    && eventRequests(metrics) == eventRequests(metricsBefore);
        });
        // Its requests go to this instance's own server, which no test sends webhooks to.
        int ownPort = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        assertThat(hosts()).isEqualTo(hostsBefore).doesNotContain("127.0.0.1:" + ownPort);
        assertThat(Rows.deliveries(pool, "user_id = $1", "warm-up")).isZero();
        assertThat(receiver.at("/live")).isEmpty();
    }

    private List<String> hosts() {
        return guards.hosts().stream().map(HostGuards.HostState::host).sorted().toList();
    }

    private static boolean unchanged(String before, String after, String name) {
        return Management.value(before, name) == Management.value(after, name);
    }

    /** Requests to {@code POST /events} counted, whatever their status. */
    private static double eventRequests(String metrics) {
        return Management.value(metrics, "http_server_requests_seconds_count", "uri", "/api/v1/events");
    }
}
