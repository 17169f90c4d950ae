package dev.herald.dispatch;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.send;
import static dev.herald.support.Http.userId;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A request Herald cannot build is its delivery's fault: RENDER_ERROR at once, with the cause in
 * its one attempt, and the destination's breaker and share untouched, so healthy webhooks to the
 * same host go on arriving.
 */
@QuarkusTest
class RenderErrorTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    HostGuards hostGuards;

    @Test
    void poisonedRequestsFailAloneAndHealthyOnesToTheSameHostArrive() {
        Receiver receiver = receivers.fresh();
        List<String> poisoned = new ArrayList<>();
        for (String value : List.of("a\r\nX-Injected: 1", "b\nc", "ctl\u0001char", "del\u007fchar")) {
            String user = user("poison").with("bad", value).put();
            poisoned.add(user);
        }
        // A raw value in the path, in the query, and in a header: each can break the request.
        String inPath = campaign("poison path", webhook(receiver.url("/p/{user.bad.raw}"))).start();
        String inQuery = campaign("poison query", webhook(receiver.url("/q?x={user.bad.raw}"))).start();
        String inHeader = campaign("poison header", webhook(receiver.url("/h")).withHeaders(Map.of("X-Bad", "{user.bad.raw}"))).start();
        for (String campaign : List.of(inPath, inQuery, inHeader)) {
            send(campaign, poisoned);
        }

        String healthy = campaign("healthy beside poison", webhook(receiver.url("/healthy"))).start();
        List<String> fine = List.of(user("fine").put(), user("fine").put(), user("fine").put());
        long sent = System.nanoTime();
        send(healthy, fine);
        receiver.await("/healthy", 3);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(1));

        for (String campaign : List.of(inPath, inQuery, inHeader)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> admin().get("/api/v1/deliveries?campaignId=" + campaign)
                    .then().extract().jsonPath().getList("items.status").stream().allMatch("FAILED"::equals));
            JsonPath list = admin().get("/api/v1/deliveries?campaignId=" + campaign).then().extract().jsonPath();
            for (int i = 0; i < poisoned.size(); i++) {
                String status = list.getString("items[" + i + "].status");
                String reason = list.getString("items[" + i + "].reason");
                assertThat(status + "/" + reason).isEqualTo("FAILED/RENDER_ERROR");
                JsonPath one = admin().get("/api/v1/deliveries/{id}", list.getString("items[" + i + "].id")).then()
                        .extract().jsonPath();
                assertThat(one.getInt("attemptCount")).isEqualTo(1);
                assertThat(one.getList("attempts")).hasSize(1);
                assertThat(one.getString("attempts[0].error")).startsWith("request cannot be built: ");
            }
        }
        // Preview and test-send say the same, and send nothing.
        admin().body(Map.of("userId", poisoned.get(0))).post("/api/v1/campaigns/{id}/preview", inHeader).then()
                .statusCode(200).body("actions[0].error", org.hamcrest.Matchers.startsWith("request cannot be built"))
                .body("actions[0].request", org.hamcrest.Matchers.nullValue());
        admin().body(Map.of("userId", poisoned.get(0))).post("/api/v1/campaigns/{id}/test-send", inHeader).then()
                .statusCode(200).body("status", equalTo("FAILED"))
                .body("reason", equalTo("RENDER_ERROR"));
        assertThat(receiver.at("/q")).isEmpty();
        assertThat(receiver.at("/h")).isEmpty();
        assertThat(hostGuards.openUntil(receiver.hostAndPort())).as("the host's breaker stayed closed").isNull();
    }

    @Test
    void aRenderOverTheBodyLimitIsARenderError() {
        Receiver receiver = receivers.fresh();
        String user = user("big").with("big", "x".repeat(60_000)).put();
        String campaign = campaign("too big", webhook(receiver.url("/big")).withContentType("text/plain").withBody("{user.big}".repeat(20))).start();
        send(campaign, List.of(user));
        JsonPath one = onlyDelivery(campaign, "FAILED");
        assertThat(one.getString("reason")).isEqualTo("RENDER_ERROR");
        assertThat(one.getString("attempts[0].error")).contains("body", "longer than");
        assertThat(receiver.at("/big")).isEmpty();
    }

    @Test
    void aDeliveryEndedWithoutAnAttemptCountsNone() {
        Receiver receiver = receivers.fresh();
        String user = user("skipped").with("plan", "free").put();
        String campaign = campaign("skipped", webhook(receiver.url("/skipped")).withCondition(Map.of("attribute", "plan", "op", "eq", "value", "pro"))).start();
        send(campaign, List.of(user));
        JsonPath one = onlyDelivery(campaign, "SKIPPED");
        assertThat(one.getString("reason")).isEqualTo("CONDITION");
        assertThat(one.getInt("attemptCount")).isZero();
        assertThat(one.getList("attempts")).isEmpty();
        // The log narrows to a reason, in any case, and names the reasons when given another word.
        admin().get("/api/v1/deliveries?campaignId=" + campaign + "&reason=condition").then().statusCode(200)
                .body("items.size()", equalTo(1));
        admin().get("/api/v1/deliveries?campaignId=" + campaign + "&reason=FREQUENCY_CAP").then().statusCode(200)
                .body("items.size()", equalTo(0));
        admin().get("/api/v1/deliveries?reason=late").then().statusCode(400)
                .body("errors[0].field", equalTo("reason"));
    }

    /** The one delivery of a campaign, once it has reached {@code status}, with its attempts. */
    private static JsonPath onlyDelivery(String campaign, String status) {
        await().atMost(Duration.ofSeconds(10)).until(() -> status.equals(admin()
                .get("/api/v1/deliveries?campaignId=" + campaign).then().extract().path("items[0].status")));
        String id = admin().get("/api/v1/deliveries?campaignId=" + campaign).then().extract().path("items[0].id");
        return admin().get("/api/v1/deliveries/{id}", id).then().extract().jsonPath();
    }
}
