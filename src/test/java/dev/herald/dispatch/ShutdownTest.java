package dev.herald.dispatch;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.newUsers;
import static dev.herald.support.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * At shutdown the outcomes still waiting for their batch are recorded, not given back: what was
 * sent is not sent again. Batches wait an hour here, so only the shutdown can write them.
 */
@QuarkusTest
@TestProfile(ShutdownTest.OutcomesWaitAnHour.class)
class ShutdownTest {

    public static class OutcomesWaitAnHour implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.delivery.record-delay", "PT1H");
        }
    }

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    Dispatcher dispatcher;
    @Inject
    Pool pool;

    @Test
    void outcomesWaitingForTheirBatchAreRecordedAtShutdown() {
        Receiver receiver = receivers.fresh();
        List<String> users = newUsers("shutdown", 20);
        UUID campaign = UUID.fromString(campaign("shutdown", webhook(receiver.url("/shutdown"))).start());
        send(campaign.toString(), users);
        receiver.await("/shutdown", 20);
        assertThat(Rows.deliveries(pool, "campaign_id = $1 AND status = 'SENDING'", campaign)).isEqualTo(20);

        dispatcher.stop(Duration.ofSeconds(10));

        assertThat(Rows.deliveries(pool, "campaign_id = $1 AND status = 'DELIVERED' AND attempt_count = 1",
                campaign)).isEqualTo(20);
        assertThat(Rows.count(pool, "attempts",
                "delivery_id IN (SELECT id FROM deliveries WHERE campaign_id = $1)", campaign)).isEqualTo(20);
        assertThat(receiver.at("/shutdown")).hasSize(20);
    }
}
