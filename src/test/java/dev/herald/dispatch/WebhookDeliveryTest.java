package dev.herald.dispatch;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.newUsers;
import static dev.herald.support.Http.send;
import static dev.herald.support.Http.userId;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.herald.support.MovableClock;
import dev.herald.support.Receiver;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;

/** Webhooks end to end: what arrives at a real receiver, byte for byte, and what is recorded. */
@QuarkusTest
class WebhookDeliveryTest {

    static final Receiver receiver = new Receiver();
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Inject
    MovableClock clock;

    @Inject
    Dispatcher dispatcher;

    @Inject
    Pool pool;

    @AfterAll
    static void stop() {
        receiver.close();
    }

    private static Map<String, Object> maryDoe() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("first_name", "{user.first_name}");
        data.put("last_name", "{user.last_name}");
        return data;
    }

    @Test
    void formDataArrivesFormEncodedInOrder() {
        String user = user("mary").with("first_name", "Mary").with("last_name", "Doe").put();
        String campaign = campaign("brief form", webhook(receiver.url("/brief-form")).withContentType("application/x-www-form-urlencoded").withData(maryDoe())).start();
        send(campaign, List.of(user));

        Receiver.Received r = receiver.await("/brief-form", 1).get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.header("content-type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(r.body()).isEqualTo("first_name=Mary&last_name=Doe");
    }

    @Test
    void jsonDataArrivesAsCompactJsonInOrder() {
        String user = user("mary").with("first_name", "Mary").with("last_name", "Doe").put();
        String campaign = campaign("brief json", webhook(receiver.url("/brief-json")).withData(maryDoe())).start();
        send(campaign, List.of(user));

        Receiver.Received r = receiver.await("/brief-json", 1).get(0);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.body()).isEqualTo("{\"first_name\":\"Mary\",\"last_name\":\"Doe\"}");
        assertThat(r.header("user-agent")).startsWith("Herald/");
        assertThat(r.header("webhook-id")).isNotBlank();
        assertThat(Long.parseLong(r.header("webhook-timestamp")))
                .isCloseTo(clock.instant().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
        assertThat(r.header("webhook-signature")).isNull();
    }

    @Test
    void basicAuthComesFromTheUrlAndLeavesIt() {
        String user = user("auth").put();
        String campaign = campaign("basic auth", webhook("http://user:pass@" + receiver.hostAndPort() + "/basic"))
                .start();
        send(campaign, List.of(user));

        Receiver.Received r = receiver.await("/basic", 1).get(0);
        assertThat(r.header("authorization")).isEqualTo("Basic dXNlcjpwYXNz");
        assertThat(r.uri()).isEqualTo("/basic");

        String deliveryId = admin().get("/api/v1/deliveries?campaignId=" + campaign).then().statusCode(200)
                .extract().path("items[0].id");
        JsonPath delivery = admin().get("/api/v1/deliveries/{id}", deliveryId).then().statusCode(200)
                .extract().jsonPath();
        assertThat(delivery.getString("request.url")).doesNotContain("pass").doesNotContain("user:");
        assertThat(delivery.getString("request.headers.Authorization")).isEqualTo("Basic ****");
        assertThat(delivery.prettify()).doesNotContain("dXNlcjpwYXNz");
    }

    @Test
    void personalisedUrlIsPercentEncoded() {
        String user = user("url").with("plan", "pro team/a&b=c").put();
        String campaign = campaign("url encoding", webhook(receiver.url("/enc/{user.plan}?plan={user.plan}"))).start();
        send(campaign, List.of(user));

        Receiver.Received r = receiver.at("/enc/pro%20team%2Fa%26b%3Dc").isEmpty()
                ? receiver.await("/enc/pro%20team%2Fa%26b%3Dc", 1).get(0)
                : receiver.at("/enc/pro%20team%2Fa%26b%3Dc").get(0);
        assertThat(r.uri()).isEqualTo("/enc/pro%20team%2Fa%26b%3Dc?plan=pro%20team%2Fa%26b%3Dc");
    }

    @Test
    void signatureVerifiesWithTheStandardWebhooksRecipe() throws Exception {
        String user = user("sig").with("first_name", "Sig").put();
        String campaign = campaign("signed", webhook(receiver.url("/signed")).withSigningSecret(SECRET).withData(Map.of("name", "{user.first_name}"))).start();
        send(campaign, List.of(user));

        Receiver.Received r = receiver.await("/signed", 1).get(0);
        String signed = r.header("webhook-id") + "." + r.header("webhook-timestamp") + "." + r.body();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
        String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.header("webhook-signature")).isEqualTo(expected);

        String deliveryId = admin().get("/api/v1/deliveries?campaignId=" + campaign).then().extract()
                .path("items[0].id");
        assertThat(r.header("webhook-id")).isEqualTo(deliveryId);
    }

    @Test
    void templatesSeeEveryNameAndKeepJsonTypes() {
        String user = user("tpl").with("first_name", "Ann").with("price", 12.5).with("vip", true).with("First name", "Spaced").put();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("price", "{user.price}");
        data.put("vip", "{user.vip}");
        data.put("greeting", "Hi {user.first_name ?: 'friend'}, {user.nickname ?: 'pal'}!");
        data.put("missing", "{user.nickname}");
        data.put("spaced", "{user.attr('First name')}");
        data.put("coupon", "{trigger.coupon}");
        data.put("campaign", "{campaign.name}");
        data.put("id", "{user.id}");
        String campaign = campaign("templates", webhook(receiver.url("/tpl")).withData(data).withHeaders(Map.of("X-User", "{user.first_name}"))).start();
        admin().body(Map.of("userIds", List.of(user), "data", Map.of("coupon", "X1")))
                .post("/api/v1/campaigns/{id}/send", campaign).then().statusCode(202);

        Receiver.Received r = receiver.await("/tpl", 1).get(0);
        assertThat(r.body()).isEqualTo("{\"price\":12.5,\"vip\":true,\"greeting\":\"Hi Ann, pal!\",\"missing\":\"\","
                + "\"spaced\":\"Spaced\",\"coupon\":\"X1\",\"campaign\":\"templates\",\"id\":\"" + user + "\"}");
        assertThat(r.header("x-user")).isEqualTo("Ann");
    }

    @Test
    void rawBodiesAreEncodedForTheirContentType() {
        String user = user("raw").with("quote", "say \"hi\"\n<b>&").put();
        String campaign = campaign("raw", webhook(receiver.url("/raw-json")).withBody("{\"q\": \"{user.quote}\", \"r\": \"{user.quote.raw}\"}"), webhook(receiver.url("/raw-xml")).withContentType("application/xml").withBody("<q>{user.quote}</q>"), webhook(receiver.url("/raw-text")).withContentType("text/plain").withBody("Q: {user.quote}")).start();
        send(campaign, List.of(user));

        assertThat(receiver.await("/raw-json", 1).get(0).body())
                .isEqualTo("{\"q\": \"say \\\"hi\\\"\\n<b>&\", \"r\": \"say \"hi\"\n<b>&\"}");
        assertThat(receiver.await("/raw-xml", 1).get(0).body()).isEqualTo("<q>say &quot;hi&quot;\n&lt;b&gt;&amp;</q>");
        Receiver.Received text = receiver.await("/raw-text", 1).get(0);
        assertThat(text.body()).isEqualTo("Q: say \"hi\"\n<b>&");
        assertThat(text.header("content-type")).isEqualTo("text/plain");
    }

    @Test
    void getSendsDataInTheQueryString() {
        String user = user("get").with("first_name", "Jo Jo").put();
        String campaign = campaign("get", webhook(receiver.url("/get?fixed=1")).withMethod("GET").withData(Map.of("name", "{user.first_name}"))).start();
        send(campaign, List.of(user));

        Receiver.Received r = receiver.await("/get", 1).get(0);
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.uri()).isEqualTo("/get?fixed=1&name=Jo+Jo");
        assertThat(r.body()).isEmpty();
        assertThat(r.header("content-type")).isNull();
    }

    @Test
    void serverErrorIsRetriedOnTheScheduleAndRecorded() {
        String user = user("retry").put();
        int[] calls = { 0 };
        receiver.reply("/flaky", r -> ++calls[0] == 1 ? new Receiver.Reply(503, Map.of(), "busy")
                : new Receiver.Reply(200, Map.of(), "fine"));
        String campaign = campaign("retry", webhook(receiver.url("/flaky"))).start();
        send(campaign, List.of(user));
        receiver.await("/flaky", 1);

        String deliveryId = awaitDelivery(campaign, "PENDING");
        assertThat(receiver.at("/flaky")).hasSize(1);
        clock.advance(Duration.ofSeconds(7));
        dispatcher.wakeUp();
        receiver.await("/flaky", 2);
        awaitDelivery(campaign, "DELIVERED");

        JsonPath delivery = admin().get("/api/v1/deliveries/{id}", deliveryId).then().extract().jsonPath();
        assertThat(delivery.getInt("attemptCount")).isEqualTo(2);
        assertThat(delivery.getList("attempts.statusCode")).containsExactly(503, 200);
        assertThat(delivery.getList("attempts.responseBody")).containsExactly("busy", "fine");
        List<Receiver.Received> both = receiver.at("/flaky");
        assertThat(both.get(1).header("webhook-id")).isEqualTo(both.get(0).header("webhook-id"));
        assertThat(both.get(1).body()).isEqualTo(both.get(0).body());
    }

    @Test
    void permanentStatusFailsAtOnce() {
        String user = user("gone").put();
        receiver.reply("/gone", r -> Receiver.Reply.of(410));
        String campaign = campaign("gone", webhook(receiver.url("/gone"))).start();
        send(campaign, List.of(user));

        String id = awaitDelivery(campaign, "FAILED");
        admin().get("/api/v1/deliveries/{id}", id).then().body("reason", equalTo("PERMANENT_STATUS"))
                .body("lastStatusCode", equalTo(410)).body("attempts.size()", equalTo(1));
    }

    @Test
    void actionsRunInOrderOneAfterTheOther() {
        String user = user("multi").put();
        String campaign = campaign("two actions", webhook(receiver.url("/first")), webhook(receiver.url("/second")).withDelay("PT1H")).start();
        send(campaign, List.of(user));
        receiver.await("/first", 1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(admin()
                .get("/api/v1/deliveries?campaignId=" + campaign + "&status=DELIVERED").then().extract()
                .path("items[0].status")));
        dispatcher.wakeUp();
        assertThat(receiver.at("/second")).isEmpty();

        clock.advance(Duration.ofMinutes(61));
        dispatcher.wakeUp();
        receiver.await("/second", 1);
    }

    @Test
    void pauseHoldsAndFinishCancels() {
        String user = user("pause").put();
        String campaign = campaign("pause", webhook(receiver.url("/paused")).withDelay("PT10M")).start();
        send(campaign, List.of(user));
        admin().post("/api/v1/campaigns/{id}/pause", campaign).then().statusCode(200);
        clock.advance(Duration.ofMinutes(11));
        dispatcher.wakeUp();
        admin().get("/api/v1/deliveries?campaignId=" + campaign).then().body("items[0].status", equalTo("PENDING"));

        admin().post("/api/v1/campaigns/{id}/finish", campaign).then().statusCode(200);
        admin().get("/api/v1/deliveries?campaignId=" + campaign).then()
                .body("items[0].status", equalTo("CANCELLED")).body("items[0].reason", equalTo("CAMPAIGN_FINISHED"));
        assertThat(receiver.at("/paused")).isEmpty();
    }

    @Test
    void deletingAUserErasesItsDeliveriesAndNothingPendingIsSent() {
        String user = user("erase").put();
        String campaign = campaign("erase", webhook(receiver.url("/erase-now")), webhook(receiver.url("/erase-later")).withDelay("PT5M")).start();
        send(campaign, List.of(user));
        receiver.await("/erase-now", 1);
        awaitDelivery(campaign, "PENDING");

        admin().delete("/api/v1/users/{id}", user).then().statusCode(204);
        admin().get("/api/v1/deliveries?userId=" + user).then().body("items.size()", equalTo(0));
        admin().get("/api/v1/deliveries?campaignId=" + campaign).then().body("items.size()", equalTo(0));
        assertThat(Rows.deliveries(pool, "user_id = $1", user)).isZero();
        clock.advance(Duration.ofMinutes(6));
        dispatcher.wakeUp();
        String other = user("erase-other").put();
        send(campaign("erase marker", webhook(receiver.url("/erase-marker"))).start(), List.of(other));
        receiver.await("/erase-marker", 1);
        assertThat(receiver.at("/erase-later")).isEmpty();
    }

    @Test
    void deletingAFinishedCampaignErasesItsRunsAndDeliveries() {
        String user = user("erase-campaign").put();
        String campaign = campaign("erase campaign", webhook(receiver.url("/erase-campaign"))).start();
        send(campaign, List.of(user));
        receiver.await("/erase-campaign", 1);
        String delivery = awaitDelivery(campaign, "DELIVERED");
        admin().post("/api/v1/campaigns/{id}/finish", campaign).then().statusCode(200);

        admin().delete("/api/v1/campaigns/{id}", campaign).then().statusCode(204);
        admin().get("/api/v1/deliveries/{id}", delivery).then().statusCode(404);
        admin().get("/api/v1/deliveries?userId=" + user).then().body("items.size()", equalTo(0));
        UUID id = UUID.fromString(campaign);
        assertThat(Rows.deliveries(pool, "campaign_id = $1", id)).isZero();
        assertThat(Rows.count(pool, "runs", "campaign_id = $1", id)).isZero();
        assertThat(Rows.count(pool, "attempts", "delivery_id = $1", UUID.fromString(delivery))).isZero();
        admin().get("/api/v1/users/{id}", user).then().statusCode(200);
    }

    @Test
    void previewShowsTheExactRequestWithThePasswordMasked() {
        String user = user("preview").with("first_name", "Mary").with("last_name", "Doe").put();
        String campaign = campaign("preview", webhook("https://crm-user:s3cret@crm.example.com/hooks/{user.first_name}")
                .withContentType("application/x-www-form-urlencoded").withData(maryDoe())).create();

        JsonPath preview = admin().body(Map.of("userId", user)).post("/api/v1/campaigns/{id}/preview", campaign)
                .then().statusCode(200).extract().jsonPath();
        assertThat(preview.getBoolean("inAudience")).isTrue();
        assertThat(preview.getString("actions[0].request.url")).isEqualTo("https://crm.example.com/hooks/Mary");
        assertThat(preview.getString("actions[0].request.body")).isEqualTo("first_name=Mary&last_name=Doe");
        assertThat(preview.getString("actions[0].request.headers.Authorization")).isEqualTo("Basic ****");
        assertThat(preview.prettify()).doesNotContain("s3cret");
        admin().get("/api/v1/deliveries?campaignId=" + campaign).then().body("items.size()", equalTo(0));
    }

    @Test
    void testSendSendsTheFirstActionAndRecordsIt() {
        String user = user("testsend").with("first_name", "Tess").put();
        receiver.reply("/test-send", r -> new Receiver.Reply(201, Map.of("X-Reply", "yes"), "created"));
        String campaign = campaign("test send", webhook(receiver.url("/test-send")).withData(Map.of("n", "{user.first_name}")), webhook(receiver.url("/never"))).create();

        JsonPath result = admin().body(Map.of("userId", user)).post("/api/v1/campaigns/{id}/test-send", campaign)
                .then().statusCode(200).extract().jsonPath();
        assertThat(result.getInt("responseStatus")).isEqualTo(201);
        assertThat(result.getString("responseBody")).isEqualTo("created");
        assertThat(result.getString("responseHeaders.x-reply")).isEqualTo("yes");
        assertThat(result.getString("status")).isEqualTo("DELIVERED");
        assertThat(receiver.at("/test-send").get(0).body()).isEqualTo("{\"n\":\"Tess\"}");
        assertThat(receiver.at("/never")).isEmpty();

        admin().get("/api/v1/deliveries/{id}", result.getString("deliveryId")).then().statusCode(200)
                .body("test", equalTo(true)).body("status", equalTo("DELIVERED")).body("attempts.size()", equalTo(1));
    }

    @Test
    void deliveriesCanBeFilteredAndPaged() {
        List<String> pair = newUsers("page", 2);
        String a = pair.get(0);
        String campaign = campaign("paging", webhook(receiver.url("/paging"))).start();
        send(campaign, pair);
        receiver.await("/paging", 2);
        awaitDelivery(campaign, "DELIVERED");

        JsonPath first = admin().get("/api/v1/deliveries?campaignId=" + campaign + "&limit=1").then().statusCode(200)
                .extract().jsonPath();
        assertThat(first.getList("items")).hasSize(1);
        String next = first.getString("next");
        assertThat(next).isNotNull();
        JsonPath second = admin().get("/api/v1/deliveries?campaignId=" + campaign + "&limit=1&after=" + next).then()
                .extract().jsonPath();
        assertThat(second.getList("items")).hasSize(1);
        assertThat(second.getString("next")).isNull();
        assertThat(second.getString("items[0].id")).isNotEqualTo(first.getString("items[0].id"));

        admin().get("/api/v1/deliveries?userId=" + a).then().body("items.size()", equalTo(1))
                .body("items[0].userId", equalTo(a));
        admin().get("/api/v1/deliveries?status=nonsense").then().statusCode(400)
                .body("errors[0].field", equalTo("status"));
        admin().get("/api/v1/deliveries?since=yesterday").then().statusCode(400);
        admin().get("/api/v1/deliveries/{id}", UUID.randomUUID()).then().statusCode(404);
    }

    /** Waits until one of the campaign's deliveries has this status, and returns its id. */
    private static String awaitDelivery(String campaign, String status) {
        String query = "/api/v1/deliveries?campaignId=" + campaign + "&status=" + status;
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> admin().get(query).then().extract().<Integer> path("items.size()") > 0);
        return admin().get(query).then().extract().path("items[0].id");
    }
}
