package dev.herald.dispatch;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.newUsers;
import static dev.herald.support.Http.send;
import static dev.herald.support.Signatures.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.support.MovableClock;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Retrying failed deliveries, rotating signing secrets, and campaign statistics. */
@QuarkusTest
class RetryRotationStatsTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    MovableClock clock;

    private static Receiver receiver() {
        return receivers.fresh();
    }

    private static void awaitStatus(String campaign, String status, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> admin()
                .get("/api/v1/deliveries?campaignId=" + campaign + "&status=" + status).then().extract()
                .<Integer> path("items.size()") == count);
    }

    @Test
    void aFailedDeliveryIsRetriedWithItsIdAndFreshAttempts() {
        Receiver receiver = receiver();
        AtomicInteger calls = new AtomicInteger();
        receiver.reply("/retry", r -> Receiver.Reply.of(calls.incrementAndGet() == 1 ? 400 : 200));
        String campaign = campaign("retry", webhook(receiver.url("/retry"))).start();
        send(campaign, newUsers("retry", 1));
        awaitStatus(campaign, "FAILED", 1);
        String id = admin().get("/api/v1/deliveries?campaignId=" + campaign).then().extract().path("items[0].id");

        admin().post("/api/v1/deliveries/{id}/retry", id).then().statusCode(200);
        awaitStatus(campaign, "DELIVERED", 1);
        JsonPath d = admin().get("/api/v1/deliveries/{id}", id).then().extract().jsonPath();
        assertThat(d.getInt("attemptCount")).isEqualTo(1);
        assertThat(d.getList("attempts.number")).containsExactly(1, 1);
        assertThat(d.getList("attempts.statusCode")).containsExactly(400, 200);
        List<Receiver.Received> got = receiver.at("/retry");
        assertThat(got.get(1).header("webhook-id")).isEqualTo(id).isEqualTo(got.get(0).header("webhook-id"));
        assertThat(got.get(1).body()).isEqualTo(got.get(0).body());

        admin().post("/api/v1/deliveries/{id}/retry", id).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", equalTo(
                        "Delivery " + id + " is DELIVERED; only FAILED deliveries can be retried."));
        admin().post("/api/v1/deliveries/{id}/retry", java.util.UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void bulkRetrySendsTheFailedOnesOfAReasonAgain() {
        Receiver receiver = receiver();
        AtomicInteger mode = new AtomicInteger(404);
        receiver.reply("/bulk", r -> Receiver.Reply.of(mode.get()));
        String campaign = campaign("bulk retry", webhook(receiver.url("/bulk"))).start();
        send(campaign, newUsers("bulk", 3));
        awaitStatus(campaign, "FAILED", 3);

        mode.set(200);
        admin().body(Map.of("status", "FAILED", "reason", "RETRIES_EXHAUSTED"))
                .post("/api/v1/campaigns/{id}/deliveries/retry", campaign).then().statusCode(200)
                .body("retried", equalTo(0));
        admin().body(Map.of("status", "FAILED", "reason", "PERMANENT_STATUS",
                "since", clock.instant().minusSeconds(60).toString()))
                .post("/api/v1/campaigns/{id}/deliveries/retry", campaign).then().statusCode(200)
                .body("retried", equalTo(3));
        awaitStatus(campaign, "DELIVERED", 3);
        assertThat(receiver.at("/bulk")).hasSize(6);

        admin().body(Map.of("status", "DELIVERED")).post("/api/v1/campaigns/{id}/deliveries/retry", campaign)
                .then().statusCode(400).body("errors[0].field", equalTo("status"));
        admin().body(Map.of("reason", "TIMED_OUT")).post("/api/v1/campaigns/{id}/deliveries/retry", campaign)
                .then().statusCode(400).body("errors[0].field", equalTo("reason"))
                .body("errors[0].message", org.hamcrest.Matchers.containsString("RETRIES_EXHAUSTED"));
    }

    @Test
    void rotationSignsWithBothSecretsDuringTheOverlap() throws Exception {
        Receiver receiver = receiver();
        String old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String campaign = campaign("rotate", webhook(receiver.url("/rotate")).withSigningSecret(old)).start();
        String actionId = admin().get("/api/v1/campaigns/{id}", campaign).then().extract().path("actions[0].id");

        JsonPath rotated = admin().post("/api/v1/campaigns/{id}/actions/{a}/rotate-secret", campaign, actionId)
                .then().statusCode(200).extract().jsonPath();
        String fresh = rotated.getString("signingSecret");
        assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);
        assertThat(Base64.getDecoder().decode(fresh.substring(6))).hasSize(32);
        admin().get("/api/v1/campaigns/{id}", campaign).then()
                .body("actions[0].signingSecret", equalTo("whsec_…" + fresh.substring(fresh.length() - 4)));

        send(campaign, newUsers("rotate", 1));
        Receiver.Received r = receiver.await("/rotate", 1).get(0);
        String[] signatures = r.header("webhook-signature").split(" ");
        assertThat(signatures).containsExactly(sign(fresh, r), sign(old, r));

        clock.advance(Duration.ofDays(1).plusMinutes(1));
        send(campaign, newUsers("rotate-later", 1));
        Receiver.Received later = receiver.await("/rotate", 2).get(1);
        assertThat(later.header("webhook-signature")).isEqualTo(sign(fresh, later));

        admin().post("/api/v1/campaigns/{id}/actions/{a}/rotate-secret", campaign, java.util.UUID.randomUUID())
                .then().statusCode(404);
    }

    @Test
    void statsCountLatencyAndSeries() {
        Receiver receiver = receiver();
        AtomicInteger calls = new AtomicInteger();
        receiver.reply("/stats-a", r -> Receiver.Reply.of(calls.incrementAndGet() % 4 == 0 ? 410 : 200));
        String campaign = campaign("stats", webhook(receiver.url("/stats-a")), webhook(receiver.url("/stats-b")).withDelay("PT1H")).start();
        send(campaign, newUsers("stats", 8));
        receiver.await("/stats-a", 8);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> admin().get("/api/v1/campaigns/{id}/stats",
                campaign).then().extract().<Integer> path("counts.PENDING") == 8);

        JsonPath stats = admin().get("/api/v1/campaigns/{id}/stats?bucket=PT1M", campaign).then().statusCode(200)
                .extract().jsonPath();
        assertThat(stats.getInt("total")).isEqualTo(16);
        assertThat(stats.getInt("counts.DELIVERED")).isEqualTo(6);
        assertThat(stats.getInt("counts.FAILED")).isEqualTo(2);
        assertThat(stats.getDouble("successRate")).isEqualTo(0.75);
        assertThat(stats.getDouble("latencyMs.p50")).isNotNull();
        assertThat(stats.getDouble("latencyMs.p99")).isGreaterThanOrEqualTo(stats.getDouble("latencyMs.p50"));
        assertThat(stats.getList("actions")).hasSize(2);
        assertThat(stats.getInt("actions[1].counts.PENDING")).isEqualTo(8);
        assertThat(stats.getString("actions[1].successRate")).isNull();
        assertThat(stats.getList("series")).hasSize(1);
        assertThat(stats.getInt("series[0].counts.DELIVERED")).isEqualTo(6);
        // Each bucket has the latency of its answers too, and the one bucket's is the window's.
        assertThat(stats.getDouble("series[0].latencyMs.p50")).isEqualTo(stats.getDouble("latencyMs.p50"));
        assertThat(stats.getDouble("series[0].latencyMs.p99")).isEqualTo(stats.getDouble("latencyMs.p99"));

        admin().get("/api/v1/campaigns/{id}/stats?bucket=PT1S", campaign).then().statusCode(400);
        admin().get("/api/v1/campaigns/{id}/stats?since=2020-01-01T00:00:00Z&bucket=PT1M", campaign).then()
                .statusCode(400).body("errors[0].field", equalTo("bucket"));
        admin().get("/api/v1/campaigns/{id}/stats?since=soon", campaign).then().statusCode(400);
    }
}
