package dev.herald.retention;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.newUsers;
import static dev.herald.support.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.dispatch.Dispatcher;
import dev.herald.support.Campaigns.Limits;
import dev.herald.support.MovableClock;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Retention removes finished deliveries (with their attempts) and events once they are older
 * than their settings (30 and 90 days in tests, the defaults), and nothing a live campaign still
 * counts.
 */
@QuarkusTest
class RetentionTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    Retention retention;
    @Inject
    MovableClock clock;
    @Inject
    Dispatcher dispatcher;
    @Inject
    Pool pool;

    private String deliveredTo(Receiver receiver, String path, String name, List<String> users,
            Limits limits) {
        String id = campaign(name, webhook(receiver.url(path))).withLimits(limits).start();
        send(id, users);
        receiver.await(path, users.size());
        Awaitility.await().until(() -> Rows.deliveries(pool, "campaign_id = $1 AND status = 'DELIVERED'",
                UUID.fromString(id)) == users.size());
        return id;
    }

    private long deliveries(String campaign) {
        return Rows.deliveries(pool, "campaign_id = $1", UUID.fromString(campaign));
    }

    /** The ids of a campaign's deliveries, so that their attempts can be counted once they are gone. */
    private UUID[] deliveryIds(String campaign) {
        return pool.preparedQuery("SELECT id FROM deliveries WHERE campaign_id = $1").execute(Tuple.of(
                UUID.fromString(campaign))).await().indefinitely().stream().map(row -> row.getUUID("id"))
                .toArray(UUID[]::new);
    }

    private long attempts(UUID[] deliveries) {
        return Rows.count(pool, "attempts", "delivery_id = ANY($1)", (Object) deliveries);
    }

    @Test
    void finishedDeliveriesGoAfterTheirRetentionWithTheirAttempts() {
        Receiver receiver = receivers.fresh();
        List<String> users = newUsers("retained", 3);
        String old = deliveredTo(receiver, "/old", "old deliveries", users, null);
        // Kept: its cap counts entries for ever, so forgetting them would let users in again.
        String capped = deliveredTo(receiver, "/capped", "capped for ever", users, Limits.perUser(1, null));
        // Still pending: a delivery is removed only once it is finished.
        String later = campaign("much later", webhook(receiver.url("/later")).withDelay("P60D")).start();
        send(later, users);
        UUID[] oldDeliveries = deliveryIds(old);
        assertThat(attempts(oldDeliveries)).isEqualTo(3);

        clock.advance(Duration.ofDays(31));
        String recent = deliveredTo(receiver, "/recent", "recent deliveries", users, null);
        Retention.Removed removed = retention.pass().await().indefinitely();

        assertThat(removed.deliveries()).isGreaterThanOrEqualTo(3);
        assertThat(deliveries(old)).isZero();
        assertThat(attempts(oldDeliveries)).isZero();
        assertThat(deliveries(capped)).isEqualTo(3);
        assertThat(deliveries(later)).isEqualTo(3);
        assertThat(deliveries(recent)).isEqualTo(3);
        admin().get("/api/v1/campaigns/{id}/stats", old).then().statusCode(200);
    }

    @Test
    void eventsGoAfterTheirRetentionUnlessALiveAudienceCountsThem() {
        String name = "retained_event_" + System.nanoTime();
        String longer = "counted_event_" + System.nanoTime();
        List<String> users = newUsers("events", 1);
        String user = users.get(0);
        admin().body(Map.of("userId", user, "event", name)).post("/api/v1/events").then().statusCode(202);
        admin().body(Map.of("userId", user, "event", longer)).post("/api/v1/events").then().statusCode(202);
        // A draft counts the second event over 200 days: its events stay that long.
        campaign("counts 200 days", webhook("https://hooks.example.com/"))
                .withAudience(Map.of("event", longer, "count", Map.of("op", "gte", "value", 1), "within", "P200D"))
                .create();

        clock.advance(Duration.ofDays(91));
        admin().body(Map.of("userId", user, "event", name)).post("/api/v1/events").then().statusCode(202);
        retention.pass().await().indefinitely();

        assertThat(Rows.count(pool, "events", "user_id = $1 AND name = $2", user, name)).isEqualTo(1);
        assertThat(Rows.count(pool, "events", "user_id = $1 AND name = $2", user, longer)).isEqualTo(1);

        clock.advance(Duration.ofDays(110));
        retention.pass().await().indefinitely();
        assertThat(Rows.count(pool, "events", "user_id = $1 AND name = $2", user, longer)).isZero();
    }
}
