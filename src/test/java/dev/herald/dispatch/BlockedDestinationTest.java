package dev.herald.dispatch;

import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.send;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.herald.support.Receiver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With loopback not allowed, as in prod: nothing reaches a local receiver. */
@QuarkusTest
@TestProfile(BlockedDestinationTest.Strict.class)
class BlockedDestinationTest {

    public static class Strict implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.delivery.allowed-networks", "192.0.2.0/24");
        }
    }

    static final Receiver receiver = new Receiver();

    @AfterAll
    static void stop() {
        receiver.close();
    }

    @Test
    void literalPrivateAddressIsRefusedOnSave() {
        admin().body(Map.of("name", "literal", "actions", List.of(Map.of("url", receiver.url("/x")))))
                .post("/api/v1/campaigns").then().statusCode(400)
                .body("errors[0].field", equalTo("actions[0].url"))
                .body("errors[0].message", containsString("loopback"));
        admin().body(Map.of("name", "metadata", "actions", List.of(Map.of("url", "http://169.254.169.254/latest"))))
                .post("/api/v1/campaigns").then().statusCode(400);
        admin().body(Map.of("name", "mapped", "actions", List.of(Map.of("url", "http://[::ffff:127.0.0.1]/x"))))
                .post("/api/v1/campaigns").then().statusCode(400);
    }

    @Test
    void nameThatResolvesToLoopbackFailsAtSendTimeWithoutRetry() {
        String user = user("blocked").put();
        String campaign = admin().body(Map.of("name", "blocked", "actions",
                List.of(Map.of("url", "http://localhost:" + receiver.hostAndPort().split(":")[1] + "/blocked"))))
                .post("/api/v1/campaigns").then().statusCode(201).extract().path("id");
        admin().post("/api/v1/campaigns/{id}/start", campaign).then().statusCode(200);
        send(campaign, List.of(user));

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(admin()
                .get("/api/v1/deliveries?campaignId=" + campaign).then().extract().path("items[0].status")));
        String id = admin().get("/api/v1/deliveries?campaignId=" + campaign).then().extract().path("items[0].id");
        admin().get("/api/v1/deliveries/{id}", id).then().body("reason", equalTo("DESTINATION_BLOCKED"))
                .body("attempts[0].error", containsString("loopback"));
        assertThat(receiver.at("/blocked")).isEmpty();
    }
}
