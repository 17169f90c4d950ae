package dev.herald.explain;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.ingest;
import static dev.herald.support.Http.send;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.support.Campaigns.Limits;
import dev.herald.support.Campaigns.Plan;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** {@code GET /campaigns/{id}/explain?userId=}: why a user got, or did not get, a campaign's webhooks. */
@QuarkusTest
class ExplainTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    Clock clock;

    private static JsonPath explain(String campaign, String user) {
        return admin().queryParam("userId", user).get("/api/v1/campaigns/{id}/explain", campaign).then()
                .statusCode(200).extract().jsonPath();
    }

    private static Map<String, Object> check(JsonPath explained, String name) {
        List<Map<String, Object>> checks = explained.getList("checks");
        return checks.stream().filter(c -> name.equals(c.get("name"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> eq(String attribute, Object value) {
        return Map.of("attribute", attribute, "op", "eq", "value", value);
    }

    @Test
    void aUserOutsideTheAudienceSeesWhichNodeFailedWithTheirValue() {
        String tag = "explain-" + System.nanoTime();
        String free = user("free").with("tag", tag).with("plan", "free").put();
        String id = campaign("pro only", webhook(receivers.fresh().url("/pro")))
                .withAudience(Map.of("all", List.of(eq("tag", tag), eq("plan", "pro")))).start();

        JsonPath explained = explain(id, free);
        assertThat(explained.getString("verdict")).isEqualTo("WOULD_NOT_ENTER");
        assertThat(explained.getString("summary")).contains("plan eq \"pro\"").contains("\"free\"");
        assertThat(check(explained, "status").get("result")).isEqualTo("PASS");
        Map<String, Object> audience = check(explained, "audience");
        assertThat(audience.get("result")).isEqualTo("FAIL");
        assertThat(explained.getString("checks.find { it.name == 'audience' }.criteria.kind")).isEqualTo("all");
        assertThat(explained.getList("checks.find { it.name == 'audience' }.criteria.parts.matched"))
                .containsExactly(true, false);
        assertThat(explained.getList("checks.find { it.name == 'audience' }.criteria.parts.actual"))
                .containsExactly(tag, "free");
        assertThat(explained.getList("deliveries")).isEmpty();
    }

    @Test
    void aUserWhoGotTheWebhookSeesItsDelivery() {
        Receiver receiver = receivers.fresh();
        String user = user("got").put();
        String id = campaign("explained send", webhook(receiver.url("/got"))).start();
        send(id, List.of(user));
        receiver.await("/got", 1);

        Awaitility.await().until(() -> "RECEIVED".equals(explain(id, user).getString("verdict")));
        JsonPath explained = explain(id, user);
        assertThat(explained.getString("deliveries[0].status")).isEqualTo("DELIVERED");
        assertThat(check(explained, "audience").get("detail")).isEqualTo("The campaign has no audience: every user is in it.");
        assertThat(check(explained, "plan").get("result")).isEqualTo("INFO");
    }

    @Test
    void aPausedCampaignAndAReachedCapAreNamed() {
        String user = user("capped").put();
        Receiver receiver = receivers.fresh();
        String id = campaign("capped", webhook(receiver.url("/capped"))).withLimits(Limits.perUser(1, "P7D")).start();
        send(id, List.of(user));
        receiver.await("/capped", 1);
        Awaitility.await().until(() -> "RECEIVED".equals(explain(id, user).getString("verdict")));
        assertThat(check(explain(id, user), "perUser").get("result")).isEqualTo("FAIL");
        assertThat((String) check(explain(id, user), "perUser").get("detail")).contains("1 of at most 1")
                .contains("FREQUENCY_CAP");

        admin().post("/api/v1/campaigns/{id}/pause", id).then().statusCode(200);
        assertThat((String) check(explain(id, user), "status").get("detail")).startsWith("The campaign is PAUSED");
    }

    @Test
    void aTriggerWhoseWhereDidNotMatchShowsTheNewestEvent() {
        String name = "shipped_" + System.nanoTime();
        String user = user("dhl").put();
        String id = campaign("ups only", webhook(receivers.fresh().url("/ups")))
                .withPlan(Plan.onEvent(name).where(Map.of("param", "carrier", "op", "eq", "value", "ups"))).start();
        ingest().body(Map.of("userId", user, "event", name, "params", Map.of("carrier", "dhl")))
                .post("/api/v1/events").then().statusCode(202).body("entries", equalTo(0));

        JsonPath explained = explain(id, user);
        assertThat(explained.getString("verdict")).isEqualTo("WOULD_NOT_ENTER");
        Map<String, Object> trigger = check(explained, "trigger");
        assertThat(trigger.get("result")).isEqualTo("FAIL");
        assertThat((String) trigger.get("detail")).contains("0 of the user's last 1");
        assertThat(explained.getString("checks.find { it.name == 'trigger' }.criteria.actual")).isEqualTo("dhl");
        assertThat(explained.getString("checks.find { it.name == 'trigger' }.criteria.test"))
                .isEqualTo("carrier eq \"ups\"");
    }

    @Test
    void quietHoursNowAreAWaitAndConditionsAreEvaluated() {
        LocalTime now = LocalTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
        String user = user("quiet").with("vip", false).put();
        String id = campaign("quiet", webhook(receivers.fresh().url("/quiet")).withCondition(eq("vip", true)))
                .withLimits(Limits.quietHours(now.minusHours(1).format(hhmm), now.plusHours(1).format(hhmm), "UTC"))
                .start();

        JsonPath explained = explain(id, user);
        assertThat(check(explained, "quietHours").get("result")).isEqualTo("WAIT");
        assertThat(check(explained, "condition").get("result")).isEqualTo("FAIL");
        assertThat((String) check(explained, "condition").get("detail")).contains("CONDITION");
        assertThat(explained.getString("verdict")).isEqualTo("WOULD_NOT_ENTER");
    }

    @Test
    void unknownUsersAndBadInputAreAnsweredPlainly() {
        String id = campaign("nobody", webhook(receivers.fresh().url("/nobody"))).create();
        JsonPath explained = explain(id, "no-such-user-" + System.nanoTime());
        assertThat(explained.getString("verdict")).isEqualTo("UNKNOWN_USER");
        assertThat(check(explained, "status").get("result")).isEqualTo("FAIL");

        admin().get("/api/v1/campaigns/{id}/explain", id).then().statusCode(400)
                .body("errors[0].field", equalTo("userId"));
        admin().queryParam("userId", "u1").get("/api/v1/campaigns/{id}/explain", "01234567-89ab-7def-8123-456789abcdef")
                .then().statusCode(404);
        ingest().queryParam("userId", "u1").get("/api/v1/campaigns/{id}/explain", id).then().statusCode(403);
    }
}
