package dev.herald.run;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.newUsers;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.herald.support.Receiver;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;

/** Manual sends: one run, one entry per user, one delivery per action. */
@QuarkusTest
class SendTest {

    static final Receiver receiver = new Receiver();

    @Inject
    Pool pool;

    @AfterAll
    static void stop() {
        receiver.close();
    }

    @Test
    void sendWritesOneEntryPerUserAndOneDeliveryPerAction() {
        List<String> pair = newUsers("send", 2);
        String a = pair.get(0);
        String b = pair.get(1);
        String campaign = campaign("send", webhook(receiver.url("/one")), webhook(receiver.url("/two"))).start();

        JsonPath sent = admin().body(Map.of("userIds", List.of(a, b, "nobody-" + a)))
                .post("/api/v1/campaigns/{id}/send", campaign).then().statusCode(202).extract().jsonPath();
        assertThat(sent.getInt("audienceSize")).isEqualTo(2);
        String runId = sent.getString("runId");

        receiver.await("/one", 2);
        receiver.await("/two", 2);
        JsonPath runs = admin().get("/api/v1/campaigns/{id}/runs", campaign).then().statusCode(200).extract()
                .jsonPath();
        assertThat(runs.getString("items[0].id")).isEqualTo(runId);
        assertThat(runs.getInt("items[0].audienceSize")).isEqualTo(2);
        assertThat(runs.getString("items[0].kind")).isEqualTo("MANUAL");
        org.awaitility.Awaitility.await().until(() -> admin().get("/api/v1/campaigns/{id}/runs", campaign).then()
                .extract().<Integer> path("items[0].deliveries.DELIVERED") == 4);

        // Two entries of two deliveries each: one per action, sharing the entry's id.
        UUID run = UUID.fromString(runId);
        long entries = Rows.entries(pool, "run_id = $1", run);
        long deliveries = Rows.deliveries(pool, "run_id = $1", run);
        long firstActions = Rows.deliveries(pool, "run_id = $1 AND action_index = 0", run);
        assertThat(entries).isEqualTo(2);
        assertThat(deliveries).isEqualTo(4);
        assertThat(firstActions).isEqualTo(2);
    }

    @Test
    void sendWithoutUserIdsReachesEveryUser() {
        String user = user("everyone").put();
        String campaign = campaign("everyone", webhook(receiver.url("/everyone"))).start();
        long users = Rows.count(pool, "users", "true");
        admin().post("/api/v1/campaigns/{id}/send", campaign).then().statusCode(202)
                .body("audienceSize", equalTo((int) users));
        admin().post("/api/v1/campaigns/{id}/finish", campaign).then().statusCode(200);
    }

    @Test
    void sendNeedsAnActiveCampaignThatIsNotTriggered() {
        String draft = campaign("draft send", webhook(receiver.url("/never"))).create();
        admin().post("/api/v1/campaigns/{id}/send", draft).then().statusCode(409)
                .contentType("application/problem+json");

        String triggered = admin().body(Map.of("name", "triggered send",
                "delivery", Map.of("type", "TRIGGERED", "trigger", Map.of("event", "purchase")),
                "actions", List.of(Map.of("url", receiver.url("/never")))))
                .post("/api/v1/campaigns").then().statusCode(201).extract().path("id");
        admin().post("/api/v1/campaigns/{id}/start", triggered).then().statusCode(200);
        admin().post("/api/v1/campaigns/{id}/send", triggered).then().statusCode(409);

        String active = campaign("bad body", webhook(receiver.url("/never"))).start();
        admin().body(Map.of("userIds", List.of(""))).post("/api/v1/campaigns/{id}/send", active).then()
                .statusCode(400).body("errors[0].field", equalTo("userIds[0]"));
        admin().body(Map.of("data", "x")).post("/api/v1/campaigns/{id}/send", active).then().statusCode(400)
                .body("errors[0].field", equalTo("data"));
        assertThat(receiver.at("/never")).isEmpty();
    }
}
