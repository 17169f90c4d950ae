package dev.herald.platform;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.ingest;
import static dev.herald.support.Http.send;
import static dev.herald.support.Http.userId;
import static dev.herald.support.Management.metrics;
import static dev.herald.support.Management.value;
import static dev.herald.support.Users.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.herald.dispatch.DueLag;
import dev.herald.support.Management;
import dev.herald.support.MovableClock;
import dev.herald.support.Receiver;
import io.quarkus.test.junit.QuarkusTest;

/** Health and metrics on the management port, and what the metrics say after real work. */
@QuarkusTest
class OperabilityTest {

    static final Receiver receiver = new Receiver();

    @Inject
    DueLag dueLag;
    @Inject
    MovableClock clock;

    @AfterAll
    static void stop() {
        receiver.close();
    }

    @Test
    void healthAndMetricsAreOnTheManagementPortOnly() {
        given().port(Management.PORT).get("/q/health/live").then().statusCode(200);
        given().port(Management.PORT).get("/q/health/ready").then().statusCode(200);
        given().port(Management.PORT).get("/q/metrics").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(404);
    }

    @Test
    void aSendShowsInTheDeliveriesCounterAndTheLatencyHistogram() {
        String before = metrics();
        String user = user("metrics").with("plan", "pro").put();
        String campaign = campaign("metrics", webhook(receiver.url("/metrics/" + user))).start();
        send(campaign, List.of(user));
        receiver.await("/metrics/" + user, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> value(metrics(), "herald_deliveries_finished_total",
                "status", "DELIVERED") > value(before, "herald_deliveries_finished_total", "status", "DELIVERED"));

        String after = metrics();
        assertThat(value(after, "herald_deliveries_finished_total", "status", "DELIVERED", "reason", "none"))
                .isGreaterThanOrEqualTo(value(before, "herald_deliveries_finished_total", "status", "DELIVERED",
                        "reason", "none") + 1);
        assertThat(value(after, "herald_attempts_seconds_count", "outcome", "2xx"))
                .isGreaterThanOrEqualTo(value(before, "herald_attempts_seconds_count", "outcome", "2xx") + 1);
        // The histogram has buckets, and the largest holds every attempt.
        assertThat(value(after, "herald_attempts_seconds_bucket", "outcome", "2xx", "le", "0.005")).isNotNegative();
        assertThat(after).contains("herald_attempts_seconds_bucket{outcome=\"2xx\",le=\"60.0\"}");
        assertThat(value(after, "herald_attempts_seconds_bucket", "outcome", "2xx", "le", "+Inf"))
                .isEqualTo(value(after, "herald_attempts_seconds_count", "outcome", "2xx"));
        assertThat(value(after, "herald_runs_total", "outcome", "fired"))
                .isGreaterThanOrEqualTo(value(before, "herald_runs_total", "outcome", "fired") + 1);
        assertThat(value(after, "herald_entries_total", "source", "run"))
                .isGreaterThanOrEqualTo(value(before, "herald_entries_total", "source", "run") + 1);
        assertThat(value(after, "herald_fanout_seconds_count"))
                .isGreaterThanOrEqualTo(value(before, "herald_fanout_seconds_count") + 1);
        assertThat(after).contains("herald_requests_in_flight", "herald_breakers_open", "herald_deliveries_due ",
                "herald_deliveries_due_oldest_age_seconds");

        // Labels come from closed sets: no user, campaign, delivery, URL or destination host ever
        // names a series (a series per host would grow with every destination users add).
        String delivery = admin().get("/api/v1/deliveries?campaignId=" + campaign).then().extract()
                .path("items[0].id");
        String host = URI.create(receiver.url("/")).getAuthority();
        assertThat(after).doesNotContain(user, campaign, delivery, "/metrics/", host);
    }

    @Test
    void theLagIsTheAgeOfTheOldestDueDeliveryNoInstanceClaimed() {
        String user = user("metrics-lag").put();
        String campaign = campaign("metrics lag", webhook(receiver.url("/metrics/lag")).withDelay("PT1H")).start();
        send(campaign, List.of(user));
        // Due an hour ago by the clock, and no dispatcher has been woken since.
        clock.advance(Duration.ofHours(2));
        dueLag.refresh().await().indefinitely();

        String metrics = metrics();
        assertThat(value(metrics, "herald_deliveries_due")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "herald_deliveries_due_oldest_age_seconds")).isGreaterThanOrEqualTo(3600);

        // A finished campaign's deliveries are not due any more.
        admin().post("/api/v1/campaigns/{id}/finish", campaign).then().statusCode(200);
        dueLag.refresh().await().indefinitely();
        assertThat(value(metrics(), "herald_deliveries_due")).isLessThan(value(metrics, "herald_deliveries_due"));
    }

    @Test
    void eventsAreCountedAsAcceptedOrDuplicate() {
        String before = metrics();
        String user = userId("metrics-events");
        Map<String, Object> event = Map.of("userId", user, "event", "metrics_seen", "id", "evt-" + user);
        ingest().body(event).post("/api/v1/events").then().statusCode(202);
        ingest().body(event).post("/api/v1/events").then().statusCode(202);
        ingest().body(Map.of("events", List.of(Map.of("userId", user, "event", "metrics_batch"))))
                .post("/api/v1/events/batch").then().statusCode(202);

        String after = metrics();
        assertThat(value(after, "herald_events_accepted_total"))
                .isGreaterThanOrEqualTo(value(before, "herald_events_accepted_total") + 2);
        assertThat(value(after, "herald_events_duplicates_total"))
                .isGreaterThanOrEqualTo(value(before, "herald_events_duplicates_total") + 1);
    }
}
