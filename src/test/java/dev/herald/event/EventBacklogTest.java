package dev.herald.event;

import static dev.herald.support.Http.ingest;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.herald.support.Held;
import dev.herald.support.Http;
import dev.herald.support.Management;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * While the database stores events more slowly than they come, at most {@code herald.events.backlog}
 * of them wait: past it, single events and batches are refused with 429 and Retry-After, storing
 * nothing (while it is full, before their bodies are read); what was taken in is stored and
 * counted until it is, even if its client went away.
 */
@QuarkusTest
@TestProfile(EventBacklogTest.TwentyEvents.class)
class EventBacklogTest {

    static final int BACKLOG = 20;

    /** A backlog of twenty events, so that a test can fill it. */
    public static class TwentyEvents implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.events.backlog", String.valueOf(BACKLOG));
        }
    }

    @Inject
    EventService events;
    @Inject
    EventBacklog backlog;
    @Inject
    Pool pool;

    @Test
    void singleEventsPastTheBacklogAreRefusedUntilTheWaitingOnesAreStored() {
        String prefix = Http.userId("backlog");
        String before = Management.metrics();
        double refusedBefore = Management.value(before, "herald_events_refused_total");
        double requestsBefore = Management.value(before, "herald_event_requests_refused_total");
        List<CompletableFuture<EventAccepted>> waiting = new ArrayList<>();
        List<Cancellable> gone = new ArrayList<>();
        whileEventsCannotBeStored(() -> {
            // Events that store nothing but themselves and events that change their users: both wait.
            for (int i = 0; i < BACKLOG - 2; i++) {
                waiting.add(events.track(event(prefix + "-" + i, i % 2 == 0)).subscribeAsCompletionStage());
            }
            // Two whose clients stop waiting: their events are still stored, and held until then.
            for (int i = BACKLOG - 2; i < BACKLOG; i++) {
                gone.add(events.track(event(prefix + "-" + i, false)).subscribe().with(ignored -> {
                }));
            }
            gone.forEach(Cancellable::cancel);
            assertThat(backlog.held()).isEqualTo(BACKLOG);

            ingest().body(Map.of("userId", prefix + "-refused", "event", "opened")).post("/api/v1/events")
                    .then().statusCode(429)
                    .header("Retry-After", "1")
                    .contentType("application/problem+json")
                    .body("type", endsWith("/too-many-requests"))
                    .body("status", equalTo(429))
                    .body("detail", containsString("nothing of this request was stored"));
            ingest().body(Map.of("events", List.of(Map.of("userId", prefix + "-refused", "event", "opened"))))
                    .post("/api/v1/events/batch").then().statusCode(429).header("Retry-After", "1");
            // Refused before its body is read: what it holds is not even parsed.
            ingest().body("{\"events\": [ not JSON").post("/api/v1/events/batch").then().statusCode(429)
                    .header("Retry-After", "1");
            // The path as the router matches it.
            ingest().body("{\"events\": [ not JSON").post("/api/v1/events/batch/").then().statusCode(429);
            // The API key is checked first.
            given().contentType(ContentType.JSON).body(Map.of("userId", prefix + "-refused", "event", "opened"))
                    .post("/api/v1/events").then().statusCode(401);

            String metrics = Management.metrics();
            assertThat(Management.value(metrics, "herald_events_backlog")).isEqualTo(BACKLOG);
            // The single event; the batches' events were not read.
            assertThat(Management.value(metrics, "herald_events_refused_total") - refusedBefore).isEqualTo(1);
            assertThat(Management.value(metrics, "herald_event_requests_refused_total") - requestsBefore).isEqualTo(4);
            assertThat(waiting).noneMatch(CompletableFuture::isDone);
        });

        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> backlog.held() == 0);
        assertThat(Rows.count(pool, "events", "user_id LIKE $1", prefix + "-%")).isEqualTo(BACKLOG);
        ingest().body(Map.of("userId", prefix + "-later", "event", "opened")).post("/api/v1/events")
                .then().statusCode(202);
        ingest().body("{\"events\": [ not JSON").post("/api/v1/events/batch").then().statusCode(400);
    }

    @Test
    void aBatchIsTakenWholeOrRefusedWhole() {
        String prefix = Http.userId("backlog-batch");
        List<CompletableFuture<EventAccepted>> waiting = new ArrayList<>();
        whileEventsCannotBeStored(() -> {
            for (int i = 0; i < BACKLOG - 5; i++) {
                waiting.add(events.track(event(prefix + "-single-" + i, false)).subscribeAsCompletionStage());
            }
            ingest().body(batch(6, i -> prefix + "-refused-" + i)).post("/api/v1/events/batch")
                    .then().statusCode(429).header("Retry-After", "1");
            assertThat(backlog.held()).isEqualTo(BACKLOG - 5);
        });
        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(Rows.count(pool, "events", "user_id LIKE $1", prefix + "-refused-%")).isZero();

        // Larger than the whole backlog: taken while nothing else waits, or it could never be.
        ingest().body(batch(BACKLOG + 5, i -> prefix + "-large-" + i)).post("/api/v1/events/batch")
                .then().statusCode(202).body("accepted", equalTo(BACKLOG + 5));
    }

    /** Runs {@code body} while no event can be inserted, so that every event sent meanwhile waits. */
    private void whileEventsCannotBeStored(Runnable body) {
        Held.whileHolding(pool, conn -> conn.query("LOCK TABLE events IN EXCLUSIVE MODE").execute(), body);
    }

    private static EventRequest event(String userId, boolean changesItsUser) {
        return new EventRequest(userId, "opened", null, null, null,
                changesItsUser ? JsonNodeFactory.instance.objectNode().put("plan", "pro") : null);
    }

    private static Map<String, Object> batch(int size, IntFunction<String> userId) {
        List<Map<String, String>> all = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            all.add(Map.of("userId", userId.apply(i), "event", "opened"));
        }
        return Map.of("events", all);
    }
}
