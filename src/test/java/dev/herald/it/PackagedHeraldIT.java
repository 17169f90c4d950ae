package dev.herald.it;

import static dev.herald.support.Signatures.sign;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.herald.support.Management;
import dev.herald.support.Receiver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * The packaged application (the jar here; the native executable where {@code -Dnative} builds
 * one), started in the prod profile: the paths a user takes first, end to end.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedConfig.class)
class PackagedHeraldIT {

    static final Receiver receiver = new Receiver();
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @AfterAll
    static void stop() {
        receiver.close();
    }

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    private static String active(Map<String, Object> campaign) {
        String id = as(PackagedConfig.ADMIN_KEY).body(campaign).post("/api/v1/campaigns").then().statusCode(201)
                .extract().path("id");
        as(PackagedConfig.ADMIN_KEY).post("/api/v1/campaigns/{id}/start", id).then().statusCode(200);
        return id;
    }

    @Test
    void aSentCampaignArrivesSigned() {
        String user = "it-" + UUID.randomUUID();
        as(PackagedConfig.INGEST_KEY).body(Map.of("attributes", Map.of("first_name", "Mary")))
                .put("/api/v1/users/{id}", user).then().statusCode(200);
        String campaign = active(Map.of("name", "packaged send", "actions", List.of(Map.of(
                "url", receiver.url("/it/send/{user.id}"), "signingSecret", SECRET,
                "data", Map.of("name", "{user.first_name}")))));

        as(PackagedConfig.ADMIN_KEY).body(Map.of("userIds", List.of(user)))
                .post("/api/v1/campaigns/{id}/send", campaign).then().statusCode(202);

        Receiver.Received r = receiver.await("/it/send/" + user, 1).get(0);
        assertThat(r.body()).isEqualTo("{\"name\":\"Mary\"}");
        assertThat(r.header("webhook-signature")).isEqualTo(sign(SECRET, r));
    }

    @Test
    void anEventTriggersAWebhook() {
        String user = "it-" + UUID.randomUUID();
        active(Map.of("name", "packaged trigger",
                "delivery", Map.of("type", "TRIGGERED", "trigger", Map.of("event", "it_shipped")),
                "actions", List.of(Map.of("url", receiver.url("/it/trigger"),
                        "data", Map.of("order", "{event.params.order}", "user", "{user.id}")))));

        as(PackagedConfig.INGEST_KEY).body(Map.of("userId", user, "event", "it_shipped",
                "params", Map.of("order", 42))).post("/api/v1/events").then().statusCode(202);

        // Map.of has no order: compare the fields, not the text.
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.at("/it/trigger").stream()
                .map(r -> io.restassured.path.json.JsonPath.from(r.body()))
                .anyMatch(body -> body.getInt("order") == 42 && user.equals(body.getString("user"))));
    }

    @Test
    void healthAndMetricsAnswerOnTheManagementPort() {
        given().port(Management.PORT).get("/q/health/live").then().statusCode(200);
        // Ready once warmed up, a moment after the start.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> given().port(Management.PORT).get("/q/health/ready").statusCode() == 200);
        given().port(Management.PORT).get("/q/health/started").then().statusCode(200);
        assertThat(Management.metrics()).contains("herald_deliveries_finished_total", "herald_requests_in_flight",
                "herald_deliveries_due_oldest_age_seconds");
        given().get("/q/health/ready").then().statusCode(404);
    }

    /** The console is in the package: its templates, its assets, and sign-in in the prod profile. */
    @Test
    void theConsoleSignsInAnAdmin() {
        given().redirects().follow(false).get("/console/campaigns").then().statusCode(303);
        given().get("/console/assets/console.css").then().statusCode(200);
        String cookie = given().redirects().follow(false).formParam("key", PackagedConfig.ADMIN_KEY)
                .post("/console/sign-in").then().statusCode(303).extract().cookie("herald_session");
        assertThat(given().redirects().follow(false).cookie("herald_session", cookie).get("/console/campaigns")
                .then().statusCode(200).extract().asString()).contains("<h1>Campaigns</h1>");
    }
}
