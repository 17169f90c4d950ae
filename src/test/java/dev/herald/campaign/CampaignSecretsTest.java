package dev.herald.campaign;

import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.send;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.herald.support.Receiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** What campaign reads never show (URL passwords), and what a body-less JSON action sends. */
@QuarkusTest
class CampaignSecretsTest {

    static final Receiver receiver = new Receiver();

    @AfterAll
    static void stop() {
        receiver.close();
    }

    @Test
    void readsMaskAUrlPasswordAndAPutOfTheMaskedUrlKeepsIt() {
        String url = receiver.url("/secret-url").replace("http://", "http://crm:s3cret@");
        JsonPath created = admin().body(Map.of("name", "url password", "actions", List.of(Map.of("url", url))))
                .post("/api/v1/campaigns").then().statusCode(201).extract().jsonPath();
        String id = created.getString("id");
        String masked = url.replace("s3cret", "****");
        // The answer to the create shows what was sent, as it shows signing secrets this once.
        assertThat(created.getString("actions[0].url")).isEqualTo(url);

        JsonPath read = admin().get("/api/v1/campaigns/{id}", id).then().statusCode(200).extract().jsonPath();
        assertThat(read.getString("actions[0].url")).isEqualTo(masked);
        assertThat(admin().get("/api/v1/campaigns").then().extract().asString()).doesNotContain("s3cret");

        // The read sent back as it is: the stored password stays and is what the webhook carries.
        Map<String, Object> action = Map.of("id", read.getString("actions[0].id"), "url", masked);
        admin().body(Map.of("name", "url password", "actions", List.of(action))).put("/api/v1/campaigns/{id}", id)
                .then().statusCode(200);
        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200);
        String user = user("url-password").put();
        send(id, List.of(user));
        Receiver.Received r = receiver.await("/secret-url", 1).get(0);
        assertThat(r.header("authorization")).isEqualTo("Basic Y3JtOnMzY3JldA==");
    }

    @Test
    void aJsonActionWithNeitherDataNorBodySendsAnEmptyObject() {
        for (String method : List.of("POST", "PUT", "PATCH")) {
            String id = admin().body(Map.of("name", "empty " + method, "actions", List.of(Map.of(
                    "url", receiver.url("/empty-" + method), "method", method))))
                    .post("/api/v1/campaigns").then().statusCode(201).extract().path("id");
            admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200);
            String user = user("empty").put();
            send(id, List.of(user));
            Receiver.Received r = receiver.await("/empty-" + method, 1).get(0);
            assertThat(r.body()).isEqualTo("{}");
            assertThat(r.header("content-type")).isEqualTo("application/json");
        }
        // An explicit null is the same as no data.
        Map<String, Object> action = new java.util.HashMap<>(Map.of("url", receiver.url("/empty-null")));
        action.put("data", null);
        String id = admin().body(Map.of("name", "null data", "actions", List.of(action))).post("/api/v1/campaigns")
                .then().statusCode(201).extract().path("id");
        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200);
        String user = user("empty-null").put();
        send(id, List.of(user));
        assertThat(receiver.await("/empty-null", 1).get(0).body()).isEqualTo("{}");
    }
}
