package dev.herald.event;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.support.Campaigns.Plan;
import dev.herald.support.Held;
import dev.herald.support.Http;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import dev.herald.support.Rows;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Single events that change their user or trigger a campaign, arriving while every transaction
 * for such events is busy, go together in one transaction: each user's events in the order they
 * came, each event answered for itself, and what they trigger sent after the commit.
 */
@QuarkusTest
class ChangingEventsTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    EventService service;
    @Inject
    Pool pool;
    @Inject
    MeterRegistry registry;

    @Test
    void eventsThatWaitTogetherCommitTogetherInTheirOrderAndTriggerTheirWebhooks() {
        Receiver receiver = receivers.fresh();
        String triggering = "changing_" + System.nanoTime();
        campaign("changing", webhook(receiver.url("/changing")).withData(Map.of("step", "{user.step}")))
                .withPlan(Plan.onEvent(triggering)).start();
        String prefix = Http.userId("changing");
        List<EventRequest> requests = new ArrayList<>();
        for (int step = 1; step <= 3; step++) {
            for (int user = 0; user < 5; user++) {
                requests.add(new EventRequest(prefix + "-" + user, step == 2 ? triggering : "stepped", null, null,
                        null, attributes(step)));
            }
        }

        List<CompletableFuture<EventAccepted>> answers = whileTransactionsAreBusy(requests);

        UUID[] ids = answers.stream().map(answer -> answer.join().id()).toArray(UUID[]::new);
        assertThat(answers).allSatisfy(answer -> assertThat(answer.join().duplicate()).isFalse());
        assertThat(Rows.count(pool, "events", "id = ANY($1)", (Object) ids)).isEqualTo(15);
        // One transaction wrote them all: the grouping this is about.
        assertThat(pool.preparedQuery("SELECT count(DISTINCT xmin::text) FROM events WHERE id = ANY($1)")
                .execute(Tuple.of((Object) ids)).await().indefinitely().iterator().next().getLong(0)).isEqualTo(1);
        // Each user's events were taken in the order they came: the last step stays.
        assertThat(Rows.count(pool, "users", "id LIKE $1 AND attributes->>'step' = '3'", prefix + "-%")).isEqualTo(5);
        assertThat(answers.subList(5, 10)).allSatisfy(answer -> assertThat(answer.join().entries()).isEqualTo(1));
        // Each webhook saw its user as its own event left them.
        assertThat(receiver.await("/changing", 5)).allSatisfy(received ->
                assertThat(received.body()).contains("\"step\":2"));
    }

    /**
     * An event whose user another transaction holds (for an update, as a batch or an update of
     * that user does, or for its erasure) waits apart: another user's event goes through
     * meanwhile, and the held user's events are all taken once it is free.
     */
    @ParameterizedTest
    @ValueSource(strings = { "NO KEY UPDATE", "UPDATE" })
    void eventsOfAUserHeldElsewhereHoldUpNoOtherUser(String lock) {
        String held = Http.userId("held");
        pool.preparedQuery("INSERT INTO users (id, attributes, created_at, updated_at) VALUES ($1, '{}', now(), now())")
                .execute(Tuple.of(held)).await().indefinitely();
        List<CompletableFuture<EventAccepted>> waiting = new ArrayList<>();
        double waitedBefore = WaitedEvents.counted(registry);
        Held.whileHolding(pool,
                conn -> conn.preparedQuery("SELECT 1 FROM users WHERE id = $1 FOR " + lock).execute(Tuple.of(held)),
                () -> {
                    // More of them than there are transactions for changing events, or for waiting ones.
                    for (int i = 0; i < EventService.CHANGING_TRANSACTIONS + EventService.WAITING_TRANSACTIONS; i++) {
                        waiting.add(service.track(new EventRequest(held, "held", null, null, null, attributes(i)))
                                .subscribeAsCompletionStage());
                    }
                    // The waiting transactions wait for the user; the other events wait in memory.
                    await().atMost(Duration.ofSeconds(10)).until(() -> Rows.count(pool, "pg_stat_activity",
                            "datname = current_database() AND wait_event_type = 'Lock'")
                            >= EventService.WAITING_TRANSACTIONS);

                    EventAccepted other = service.track(new EventRequest(Http.userId("held-other"), "went-on", null,
                            null, null, attributes(1))).await().atMost(Duration.ofSeconds(5));

                    assertThat(other.duplicate()).isFalse();
                    assertThat(waiting).noneMatch(CompletableFuture::isDone);
                });
        WaitedEvents.allStoredAndCounted(pool, registry, held, waiting, waitedBefore);
    }

    /**
     * Tracks {@code requests} while both transactions for changing events wait for the events
     * table, which this test holds against writes, so that all of them wait together; then lets
     * go and gathers the answers.
     */
    private List<CompletableFuture<EventAccepted>> whileTransactionsAreBusy(List<EventRequest> requests) {
        String holder = Http.userId("changing-holder");
        pool.preparedQuery("INSERT INTO users (id, attributes, created_at, updated_at) VALUES ($1, '{}', now(), now())")
                .execute(Tuple.of(holder)).await().indefinitely();
        List<CompletableFuture<EventAccepted>> blocked = new ArrayList<>();
        List<CompletableFuture<EventAccepted>> answers = new ArrayList<>();
        Held.whileHolding(pool,
                conn -> conn.query("LOCK TABLE events IN SHARE MODE").execute(),
                () -> {
                    for (int i = 0; i < EventService.CHANGING_TRANSACTIONS; i++) {
                        blocked.add(service.track(new EventRequest(holder, "held", null, null, null, attributes(i)))
                                .subscribeAsCompletionStage());
                    }
                    requests.forEach(request -> answers.add(service.track(request).subscribeAsCompletionStage()));
                    assertThat(blocked).noneMatch(CompletableFuture::isDone);
                });
        CompletableFuture.allOf(blocked.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
        return answers;
    }

    private static ObjectNode attributes(int step) {
        return JsonNodeFactory.instance.objectNode().put("step", step);
    }
}
