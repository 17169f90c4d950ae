package dev.herald.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.herald.platform.Ids;
import dev.herald.platform.Sql;
import dev.herald.support.Held;
import dev.herald.support.Http;
import dev.herald.support.Rows;
import dev.herald.user.UserStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Single events that arrive while every statement slot is busy are stored together, in one
 * statement, and each is still answered for itself: its own id, or that of the event it repeats;
 * an event the database refuses fails alone.
 */
@QuarkusTest
class QuietEventsTest {

    @Inject
    QuietEvents quiet;
    @Inject
    Pool pool;
    @Inject
    Clock clock;
    @Inject
    UserStore users;
    @Inject
    MeterRegistry registry;

    @Test
    void eventsThatWaitTogetherAreStoredInOneStatementEachUnderItsOwnId() {
        String prefix = Http.userId("quiet");
        List<TrackedEvent> events = events(40, i -> event(prefix + "-" + (i % 7), null));

        List<CompletableFuture<EventAccepted>> answers = whileSlotsAreBusy(events);

        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            EventAccepted accepted = answers.get(i).join();
            assertThat(accepted.id()).isEqualTo(events.get(i).id());
            assertThat(accepted.duplicate()).isFalse();
            ids.add(accepted.id());
        }
        UUID[] stored = ids.toArray(UUID[]::new);
        assertThat(Rows.count(pool, "events", "id = ANY($1)", (Object) stored)).isEqualTo(40);
        // One transaction wrote them all: the grouping this class is for.
        assertThat(pool.preparedQuery("SELECT count(DISTINCT xmin::text) FROM events WHERE id = ANY($1)")
                .execute(Tuple.of((Object) stored)).await().indefinitely().iterator().next().getLong(0)).isEqualTo(1);
        assertThat(Rows.count(pool, "users", "id LIKE $1", prefix + "-%")).isEqualTo(7);
    }

    @Test
    void repeatsThatWaitTogetherAreStoredOnceAndAnsweredWithTheStoredId() {
        String user = Http.userId("quiet-repeat");
        TrackedEvent earlier = event(user, "earlier");
        EventAccepted first = quiet.store(earlier).await().atMost(Duration.ofSeconds(10));
        assertThat(first.duplicate()).isFalse();
        // Ten repeats of an event stored before, ten of one sent with them, ten without an id.
        List<TrackedEvent> events = events(30, i -> event(user, i < 10 ? "earlier" : i < 20 ? "together" : null));

        List<CompletableFuture<EventAccepted>> answers = whileSlotsAreBusy(events);

        List<EventAccepted> all = answers.stream().map(CompletableFuture::join).toList();
        assertThat(all.subList(0, 10)).allSatisfy(accepted -> {
            assertThat(accepted.id()).isEqualTo(earlier.id());
            assertThat(accepted.duplicate()).isTrue();
        });
        assertThat(all.get(10).id()).isEqualTo(events.get(10).id());
        assertThat(all.get(10).duplicate()).isFalse();
        assertThat(all.subList(11, 20)).allSatisfy(accepted -> {
            assertThat(accepted.id()).isEqualTo(events.get(10).id());
            assertThat(accepted.duplicate()).isTrue();
        });
        assertThat(all.subList(20, 30)).allSatisfy(accepted -> assertThat(accepted.duplicate()).isFalse());
        assertThat(Rows.count(pool, "events", "user_id = $1", user)).isEqualTo(1 + 1 + 10);
    }

    @Test
    void anEventTheDatabaseRefusesFailsAloneAndTheOthersSentWithItAreStored() {
        String prefix = Http.userId("quiet-refused");
        // A NUL cannot be stored in text; the API refuses it at the edge, so only a caller that
        // skipped the checks could send it. It stands for any event the database refuses.
        List<TrackedEvent> events = events(30, i -> event(i == 15 ? prefix + "\0" : prefix + "-" + i, null));

        List<CompletableFuture<EventAccepted>> answers = whileSlotsAreBusy(events);

        for (int i = 0; i < events.size(); i++) {
            if (i == 15) {
                CompletableFuture<EventAccepted> refused = answers.get(i);
                assertThatThrownBy(refused::join).hasMessageContaining("0x00");
            } else {
                assertThat(answers.get(i).join().id()).isEqualTo(events.get(i).id());
            }
        }
        assertThat(Rows.count(pool, "events", "user_id LIKE $1", prefix + "-%")).isEqualTo(29);
    }

    @Test
    void anEventThatChangesNothingDoesNotWaitForAnotherEventOfItsUser() {
        String user = Http.userId("quiet-beside");
        createUser(user);
        // What an event that changes or triggers something holds until it commits.
        Held.whileHolding(pool, conn -> users.lockOrCreate(conn, user, clock.instant()), () -> {
            EventAccepted accepted = quiet.store(event(user, null)).await().atMost(Duration.ofSeconds(5));
            assertThat(accepted.duplicate()).isFalse();
        });
    }

    /**
     * An event whose user another transaction is erasing (or holds as an erasure does) waits
     * apart: the statements for other users' events go on meanwhile, and the held user's events
     * are all stored once that transaction ends.
     */
    @ParameterizedTest
    @ValueSource(strings = { "DELETE FROM users WHERE id = $1", "SELECT 1 FROM users WHERE id = $1 FOR UPDATE" })
    void eventsOfAUserBeingErasedHoldUpNoOtherUsersEvents(String hold) {
        String held = Http.userId("quiet-erased");
        createUser(held);
        List<CompletableFuture<EventAccepted>> waiting = new ArrayList<>();
        double waitedBefore = WaitedEvents.counted(registry);
        Held.whileHolding(pool, conn -> conn.preparedQuery(hold).execute(Tuple.of(held)), () -> {
            // More of them than there are statement slots, or waiting ones.
            for (int i = 0; i < QuietEvents.STATEMENTS + QuietEvents.WAITING; i++) {
                waiting.add(quiet.store(event(held, null)).subscribeAsCompletionStage());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> Rows.count(pool, "pg_stat_activity",
                    "datname = current_database() AND wait_event_type = 'Lock'") >= QuietEvents.WAITING);

            EventAccepted other = quiet.store(event(Http.userId("quiet-erased-other"), null))
                    .await().atMost(Duration.ofSeconds(5));

            assertThat(other.duplicate()).isFalse();
            assertThat(waiting).noneMatch(CompletableFuture::isDone);
        });
        // The hold is rolled back: the user stands, and every event of it is stored.
        WaitedEvents.allStoredAndCounted(pool, registry, held, waiting, waitedBefore);
    }

    @Test
    void aGroupLeavesTheEventsOfAUserBeingErasedToWaitAndStoresTheOthers() {
        String held = Http.userId("quiet-group-erased");
        String prefix = Http.userId("quiet-group-free");
        createUser(held);
        List<TrackedEvent> events = events(6, i -> event(i % 3 == 0 ? held : prefix + "-" + i, null));
        List<CompletableFuture<EventAccepted>> answers = new ArrayList<>();
        // Held as an erasure holds it; a real one would also hold the events table against the
        // lock that busies the slots.
        Held.whileHolding(pool,
                conn -> conn.preparedQuery("SELECT 1 FROM users WHERE id = $1 FOR UPDATE").execute(Tuple.of(held)),
                () -> {
                    answers.addAll(whileSlotsAreBusy(events, false));
                    List<CompletableFuture<EventAccepted>> free = List.of(answers.get(1), answers.get(2),
                            answers.get(4), answers.get(5));
                    CompletableFuture.allOf(free.toArray(CompletableFuture[]::new)).orTimeout(5, TimeUnit.SECONDS)
                            .join();
                    assertThat(answers.get(0)).isNotDone();
                    assertThat(answers.get(3)).isNotDone();
                    // The free users' events went in one statement, the group's.
                    UUID[] stored = free.stream().map(answer -> answer.join().id()).toArray(UUID[]::new);
                    assertThat(pool.preparedQuery("SELECT count(DISTINCT xmin::text) FROM events WHERE id = ANY($1)")
                            .execute(Tuple.of((Object) stored)).await().indefinitely().iterator().next().getLong(0))
                            .isEqualTo(1);
                });
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(Rows.count(pool, "events", "user_id = $1", held)).isEqualTo(2);
        assertThat(Rows.count(pool, "events", "user_id LIKE $1", prefix + "-%")).isEqualTo(4);
    }

    @Test
    void onlyEventsWithAClientIdEnterTheIndexThatFindsRepeats() {
        // An event without an id cannot repeat; an entry for it would cost a scattered index page
        // per event once the table outgrows memory (V12).
        String definition = pool.query("SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
                + " JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'events_user_client_id'"
                + " AND i.indisunique AND i.indisvalid").execute().await().indefinitely().iterator().next().getString(0);
        assertThat(definition).endsWith("(user_id, client_id) WHERE (client_id IS NOT NULL)");
        assertThat(Rows.count(pool, "pg_indexes", "tablename = 'events' AND indexdef LIKE '%UNIQUE%'")).isEqualTo(2);

        String user = Http.userId("quiet-no-id");
        List<TrackedEvent> events = events(6, i -> event(user, i < 3 ? null : "same"));
        List<CompletableFuture<EventAccepted>> answers = whileSlotsAreBusy(events);
        assertThat(answers.stream().map(answer -> answer.join().duplicate()))
                .containsExactly(false, false, false, false, true, true);
        assertThat(Rows.count(pool, "events", "user_id = $1", user)).isEqualTo(4);
    }

    /**
     * Stores {@code events} while both statement slots wait for the events table, which this
     * test holds against writes, so that all of them wait together; then lets the slots go and
     * gathers the answers.
     */
    private List<CompletableFuture<EventAccepted>> whileSlotsAreBusy(List<TrackedEvent> events) {
        return whileSlotsAreBusy(events, true);
    }

    /** As {@link #whileSlotsAreBusy(List)}, waiting for the answers only if {@code answered}. */
    private List<CompletableFuture<EventAccepted>> whileSlotsAreBusy(List<TrackedEvent> events, boolean answered) {
        String holder = Http.userId("quiet-holder");
        createUser(holder);
        List<CompletableFuture<EventAccepted>> blocked = new ArrayList<>();
        List<CompletableFuture<EventAccepted>> answers = new ArrayList<>();
        Held.whileHolding(pool,
                conn -> conn.query("LOCK TABLE events IN SHARE MODE").execute(),
                () -> {
                    for (int i = 0; i < QuietEvents.STATEMENTS; i++) {
                        blocked.add(quiet.store(event(holder, null)).subscribeAsCompletionStage());
                    }
                    events.forEach(event -> answers.add(quiet.store(event).subscribeAsCompletionStage()));
                    assertThat(blocked).noneMatch(CompletableFuture::isDone);
                });
        CompletableFuture.allOf(blocked.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
        if (answered) {
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                    .exceptionally(failure -> null).orTimeout(10, TimeUnit.SECONDS).join();
        }
        return answers;
    }

    private void createUser(String id) {
        pool.preparedQuery("INSERT INTO users (id, attributes, created_at, updated_at) VALUES ($1, '{}', now(), now())")
                .execute(Tuple.of(id)).await().indefinitely();
    }

    private static List<TrackedEvent> events(int count, IntFunction<TrackedEvent> event) {
        List<TrackedEvent> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(event.apply(i));
        }
        return out;
    }

    private TrackedEvent event(String userId, String clientId) {
        Instant now = Sql.millis(clock.instant());
        return new TrackedEvent(Ids.newId(), userId, "quiet_test", JsonNodeFactory.instance.objectNode().put("n", 1),
                now, now, clientId);
    }
}
