package dev.herald.run;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.newUsers;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.support.Held;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import dev.herald.support.Rows;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A run writes its audience in committed chunks (two users each here): a send answers before its
 * audience is written, sending starts with the first chunk, the run shows its progress, and a run
 * whose chunk failed halfway goes on from its cursor with no user missed and none written twice.
 */
@QuarkusTest
@TestProfile(ChunkedRunTest.TwoUsersAChunk.class)
class ChunkedRunTest {

    /** Chunks of two users, so a handful of users makes a run of several chunks. */
    public static class TwoUsersAChunk implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.schedule.chunk-size", "2");
        }
    }

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    Pool pool;
    @Inject
    ScheduleService scheduler;
    @Inject
    MeterRegistry registry;

    private static JsonPath run(String campaign) {
        return admin().get("/api/v1/campaigns/{id}/runs", campaign).then().statusCode(200).extract().jsonPath();
    }

    private static String send(String campaign, List<String> users) {
        JsonPath answer = admin().body(Map.of("userIds", users)).post("/api/v1/campaigns/{id}/send", campaign)
                .then().statusCode(202).extract().jsonPath();
        // Five users do not fit in the first chunk: the size is not known when the send answers.
        assertThat(answer.getString("audienceSize")).isNull();
        return answer.getString("runId");
    }

    private double failedChunks() {
        return registry.counter("herald.runs.chunks.failed").count();
    }

    @Test
    void aRunWrittenInChunksReachesEveryUserOnce() {
        Receiver receiver = receivers.fresh();
        List<String> users = newUsers("chunked", 5);
        String id = campaign("chunked", webhook(receiver.url("/chunked"))).start();
        String runId = send(id, users);

        receiver.await("/chunked", 5);
        Awaitility.await().until(() -> "COMPLETED".equals(run(id).getString("items[0].status")));
        JsonPath runs = run(id);
        assertThat(runs.getString("items[0].id")).isEqualTo(runId);
        assertThat(runs.getInt("items[0].usersWritten")).isEqualTo(5);
        assertThat(runs.getInt("items[0].audienceSize")).isEqualTo(5);
        assertThat(Rows.entries(pool, "run_id = $1", UUID.fromString(runId))).isEqualTo(5);
        assertThat(receiver.at("/chunked").stream().map(r -> r.header("webhook-id")).distinct()).hasSize(5);
    }

    @Test
    void aChunkThatFailedIsWrittenAgainFromTheCursor() {
        Receiver receiver = receivers.fresh();
        List<String> users = newUsers("resumed", 5).stream().sorted().toList();
        String id = campaign("resumed", webhook(receiver.url("/resumed"))).start();
        // The second chunk (the third and fourth users) fails inside the database.
        String runId = failingAt(users.get(2), () -> send(id, users));
        UUID run = UUID.fromString(runId);
        assertThat(Rows.deliveries(pool, "run_id = $1", run)).isEqualTo(2);
        assertThat(run(id).getString("items[0].status")).isEqualTo("WRITING_USERS");
        assertThat(run(id).getInt("items[0].usersWritten")).isEqualTo(2);
        assertThat(run(id).getString("items[0].audienceSize")).isNull();

        // The scheduler's pass takes the run up again where it stopped.
        scheduler.tick().await().indefinitely();
        Awaitility.await().until(() -> "COMPLETED".equals(run(id).getString("items[0].status")));
        assertThat(Rows.deliveries(pool, "run_id = $1", run)).isEqualTo(5);
        assertThat(Rows.count(pool, "(SELECT DISTINCT user_id FROM deliveries WHERE run_id = $1) u", "true", run))
                .isEqualTo(5);
        receiver.await("/resumed", 5);
        assertThat(run(id).getInt("items[0].audienceSize")).isEqualTo(5);
    }

    @Test
    void aSendWhoseFirstChunkFailedIsAnsweredAndWrittenByTheScheduler() {
        Receiver receiver = receivers.fresh();
        List<String> users = newUsers("first", 5).stream().sorted().toList();
        String id = campaign("first", webhook(receiver.url("/first"))).start();
        // The run is stored before its first chunk: a send that fails after it answers, so a
        // client retrying on an error does not start a second run.
        String runId = failingAt(users.get(0), () -> send(id, users));
        assertThat(Rows.deliveries(pool, "run_id = $1", UUID.fromString(runId))).isZero();
        assertThat(run(id).getString("items[0].status")).isEqualTo("WRITING_USERS");
        assertThat(run(id).getInt("items[0].usersWritten")).isZero();

        scheduler.tick().await().indefinitely();
        receiver.await("/first", 5);
        Awaitility.await().until(() -> "COMPLETED".equals(run(id).getString("items[0].status")));
        assertThat(run(id).getInt("items[0].audienceSize")).isEqualTo(5);
    }

    @Test
    void aRunIsWrittenOnWhileItsCountsAreBeingFolded() {
        Receiver receiver = receivers.fresh();
        List<String> users = newUsers("folded", 5).stream().sorted().toList();
        String id = campaign("folded", webhook(receiver.url("/folded"))).start();
        String runId = failingAt(users.get(0), () -> send(id, users));
        // Folding a run's counts writes run_counts, whose foreign key shares the run's row until
        // the fold commits; the writer's lock on the run must not take that for another writer.
        Held.whileHolding(pool,
                conn -> conn.preparedQuery("INSERT INTO run_counts (run_id, status, n) VALUES ($1, 'PENDING', 0)")
                        .execute(Tuple.of(UUID.fromString(runId))),
                () -> {
                    scheduler.tick().await().indefinitely();
                    Awaitility.await().until(() -> run(id).getInt("items[0].usersWritten") == 5);
                });
        receiver.await("/folded", 5);
    }

    /** Runs {@code send} while storing a delivery to {@code user} fails, until a chunk has failed. */
    private String failingAt(String user, Supplier<String> send) {
        String fail = "herald_test_chunk_" + System.nanoTime();
        sql("CREATE FUNCTION " + fail + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.user_id = '" + user + "' THEN RAISE EXCEPTION 'injected failure'; END IF;"
                + " RETURN NEW; END $$");
        sql("CREATE TRIGGER " + fail + " BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION " + fail + "()");
        double failedBefore = failedChunks();
        try {
            String runId = send.get();
            Awaitility.await().until(() -> failedChunks() > failedBefore);
            return runId;
        } finally {
            sql("DROP TRIGGER " + fail + " ON deliveries");
            sql("DROP FUNCTION " + fail + "()");
        }
    }

    private void sql(String statement) {
        pool.query(statement).execute().await().indefinitely();
    }
}
