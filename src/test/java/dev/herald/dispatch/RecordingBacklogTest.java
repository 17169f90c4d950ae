package dev.herald.dispatch;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.newUsers;
import static dev.herald.support.Http.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.support.Held;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * While outcomes cannot be recorded as fast as webhooks are sent, an instance holds at most
 * twice {@code max-in-flight} deliveries in memory: it stops claiming until outcomes are written,
 * then sends the rest; nothing is lost or sent twice.
 */
@QuarkusTest
@TestProfile(RecordingBacklogTest.EightInFlight.class)
class RecordingBacklogTest {

    static final int MAX_IN_FLIGHT = 8;

    /** Eight requests in flight, so that a few dozen deliveries fill what may wait. */
    public static class EightInFlight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.delivery.max-in-flight", String.valueOf(MAX_IN_FLIGHT));
        }
    }

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    Dispatcher dispatcher;
    @Inject
    Pool pool;

    @Test
    void whileOutcomesCannotBeRecordedClaimsStopAtTwiceTheRequestsInFlight() {
        Receiver receiver = receivers.fresh();
        List<String> users = newUsers("recording-backlog", 40);
        UUID campaign = UUID.fromString(campaign("recording-backlog", webhook(receiver.url("/backlog"))).start());

        // Outcomes write an attempt each: with the table locked, none can be recorded.
        Held.whileHolding(pool, conn -> conn.query("LOCK TABLE attempts IN EXCLUSIVE MODE").execute(), () -> {
            send(campaign.toString(), users);
            receiver.await("/backlog", 2 * MAX_IN_FLIGHT);
            // Every request has ended and the pump has looked again; it must claim no more.
            await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.inFlight() == 0 && dispatcher.idle());
            dispatcher.wakeUp();
            await().atMost(Duration.ofSeconds(10)).until(dispatcher::idle);

            assertThat(receiver.at("/backlog")).hasSize(2 * MAX_IN_FLIGHT);
            assertThat(Rows.deliveries(pool, "campaign_id = $1 AND status = 'PENDING'", campaign))
                    .isEqualTo(40 - 2 * MAX_IN_FLIGHT);
        });

        receiver.await("/backlog", 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> Rows.deliveries(pool,
                "campaign_id = $1 AND status = 'DELIVERED' AND attempt_count = 1", campaign) == 40);
        assertThat(receiver.at("/backlog")).hasSize(40);
    }
}
