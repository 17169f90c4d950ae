package dev.herald.dispatch;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.newUsers;
import static dev.herald.support.Http.send;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.delivery.DeliveryStore;
import dev.herald.platform.Notifications;
import dev.herald.platform.Sql;
import dev.herald.platform.Wakeups;
import dev.herald.support.Campaigns.Limits;
import dev.herald.support.Campaigns.Webhook;
import dev.herald.support.Gate;
import dev.herald.support.Gates;
import dev.herald.support.Http;
import dev.herald.support.MovableClock;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Several dispatchers over one database, as several instances of Herald would run: every
 * webhook is sent once, a dead instance's claims are taken over when their lease ends, a NOTIFY
 * from elsewhere wakes a dispatcher, and a stopping one gives back what it holds.
 */
@QuarkusTest
class MultiInstanceTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();
    @RegisterExtension
    final Gates gates = new Gates();

    @Inject
    Dispatcher dispatcher;
    @Inject
    Pumps pumps;
    @Inject
    Notifications notifications;
    @Inject
    Wakeups wakeups;
    @Inject
    DeliveryStore deliveries;
    @Inject
    DeliveryConfig config;
    @Inject
    MovableClock clock;
    @Inject
    Pool pool;

    private static Receiver receiver() {
        return receivers.fresh();
    }

    /** Pumps this test started beside this instance's, stopped after it. */
    private final List<Pump> others = new ArrayList<>();

    /**
     * Another instance's dispatcher: same database, its own guards and state. It is stopped
     * after the test, so that it cannot wake on its own freed room and claim a later test's
     * deliveries.
     */
    private Pump otherInstance() {
        Pump other = pumps.another();
        others.add(other);
        return other;
    }

    @AfterEach
    void stopOtherInstances() {
        others.forEach(other -> other.stop(Duration.ofSeconds(1)));
    }

    /** A campaign whose single delivery per user comes due an hour after the send. */
    private static String laterCampaign(String name, Receiver receiver, String path) {
        return laterCampaign(name, webhook(receiver.url(path)));
    }

    private static String laterCampaign(String name, Webhook action) {
        return campaign(name, action.withDelay("PT1H")).start();
    }

    /** A {@link #laterCampaign} sent to one new user, named after the campaign. */
    private String sentToOneUser(String name, Receiver receiver, String path) {
        return sentToOneUser(name, webhook(receiver.url(path)));
    }

    private String sentToOneUser(String name, Webhook action) {
        String user = user(name).put();
        String campaign = laterCampaign(name, action);
        send(campaign, List.of(user));
        return campaign;
    }

    private static Map<String, Object> delivery(String campaign) {
        String id = admin().get("/api/v1/deliveries?campaignId=" + campaign).then().extract().path("items[0].id");
        return admin().get("/api/v1/deliveries/{id}", id).then().extract().jsonPath().getMap("");
    }

    @Test
    void twoDispatchersSendEveryWebhookOnce() {
        Receiver receiver = receiver();
        String prefix = "pair-" + UUID.randomUUID() + "-";
        int count = 2000;
        pool.preparedQuery("INSERT INTO users (id, attributes, created_at, updated_at)"
                + " SELECT $1 || g, '{}', $2, $2 FROM generate_series(1, $3) g")
                .execute(Tuple.of(prefix, Sql.ts(clock.instant()), count)).await().indefinitely();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(prefix + i);
        }
        String campaign = laterCampaign("two dispatchers", receiver, "/pair");
        admin().body(Map.of("userIds", ids)).post("/api/v1/campaigns/{id}/send", campaign).then().statusCode(202)
                .body("audienceSize", equalTo(count));

        Pump other = otherInstance();
        clock.advance(Duration.ofMinutes(61));
        dispatcher.wakeUp();
        other.wakeUp();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> receiver.at("/pair").size() >= count);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> admin()
                .get("/api/v1/campaigns/{id}/stats", campaign).then().extract().<Integer> path("counts.DELIVERED")
                == count);

        List<Receiver.Received> got = receiver.at("/pair");
        Set<String> webhookIds = new HashSet<>();
        got.forEach(r -> webhookIds.add(r.header("webhook-id")));
        assertThat(got).hasSize(count);
        assertThat(webhookIds).hasSize(count);
    }

    @Test
    void twoDispatchersShareACampaignsMaxPerMinute() {
        Receiver receiver = receiver();
        List<String> users = newUsers("rate-shared", 10);
        String id = campaign("shared rate", webhook(receiver.url("/shared-rate")).withDelay("PT1H")).withLimits(Limits.maxPerMinute(10)).start();
        // Three runs of ten, each within the limit on its own: thirty due in the same minute.
        Instant minute = clock.advanceToNextMinute();
        for (int run = 0; run < 3; run++) {
            admin().body(Map.of("userIds", users)).post("/api/v1/campaigns/{id}/send", id).then().statusCode(202);
        }

        Pump other = otherInstance();
        clock.advance(Duration.ofHours(1));
        dispatcher.wakeUp();
        other.wakeUp();
        receiver.await("/shared-rate", 10);
        Instant nextMinute = minute.plus(Duration.ofMinutes(61));
        Awaitility.await().until(() -> {
            List<String> due = admin().get("/api/v1/deliveries?status=PENDING&campaignId=" + id).then()
                    .extract().path("items.dueAt");
            return due.size() == 20 && due.stream().map(Instant::parse).noneMatch(t -> t.isBefore(nextMinute));
        });
        assertThat(receiver.at("/shared-rate")).hasSize(10);
        admin().post("/api/v1/campaigns/{id}/finish", id).then().statusCode(200);
    }

    @Test
    void aDeadInstancesClaimIsTakenOverWhenItsLeaseEnds() {
        Receiver receiver = receiver();
        String campaign = sentToOneUser("lease", receiver, "/lease");

        // Another instance, 61 minutes on, claims the delivery and dies before sending it.
        Instant then = Sql.millis(clock.instant().plus(Duration.ofMinutes(61)));
        deliveries.claim(then, then.plus(config.lease()), 10_000, DeliveryStore.HostRoom.any(10_000)).await().indefinitely();
        assertThat(delivery(campaign).get("status")).isEqualTo("SENDING");
        clock.advance(Duration.ofMinutes(61));

        dispatcher.wakeUp();
        Receiver marker = receiver();
        String markerUser = user("lease-marker").put();
        send(campaign("lease marker", webhook(marker.url("/marker"))).start(), List.of(markerUser));
        marker.await("/marker", 1);
        assertThat(receiver.at("/lease")).isEmpty();

        clock.advance(config.lease().plusSeconds(1));
        dispatcher.wakeUp();
        receiver.await("/lease", 1);
        Awaitility.await().until(() -> "DELIVERED".equals(delivery(campaign).get("status")));
        assertThat(delivery(campaign).get("attemptCount")).isEqualTo(2);
        assertThat(receiver.at("/lease")).hasSize(1);
    }

    @Test
    void aNotifyFromAnotherInstanceWakesTheDispatcher() {
        Receiver receiver = receiver();
        sentToOneUser("notify", receiver, "/notify");
        clock.advance(Duration.ofMinutes(61));

        // Tests poll once an hour: only the notification can start this send.
        long heard = notifications.heard(Wakeups.CHANNEL);
        pool.query("NOTIFY " + Wakeups.CHANNEL + ", 'another-instance'").execute().await().indefinitely();
        receiver.await("/notify", 1);
        assertThat(notifications.heard(Wakeups.CHANNEL)).isEqualTo(heard + 1);
    }

    /** Runs {@code body} while a connection of its own listens for wake-ups, with what it hears. */
    private void whileListening(Consumer<List<String>> body) {
        List<String> payloads = new CopyOnWriteArrayList<>();
        PgConnection listener = PgConnection.cast(pool.getConnectionAndAwait());
        try {
            listener.notificationHandler(n -> payloads.add(n.getPayload()));
            listener.query("LISTEN " + Wakeups.CHANNEL).executeAndAwait();
            body.accept(payloads);
        } finally {
            listener.query("UNLISTEN *").executeAndAwait();
            listener.closeAndAwait();
        }
    }

    @Test
    void aSendTellsTheOtherInstancesAfterItCommitsAndNotItself() {
        whileListening(payloads -> {
            long heard = notifications.heard(Wakeups.CHANNEL);
            sentToOneUser("told", receiver(), "/told");

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !payloads.isEmpty());
            // The payload names the sender, which ignores its own notifications: it woke itself.
            assertThat(payloads.get(0)).isNotBlank();
            assertThat(notifications.heard(Wakeups.CHANNEL)).isEqualTo(heard);
        });
    }

    @Test
    void wakeUpsAskedForTogetherShareANotification() {
        whileListening(payloads -> {
            // What earlier tests left running (runs, retries, campaigns fired by the moved clock)
            // notifies too: counted from a moment the channel has been quiet for a while.
            AtomicInteger seen = new AtomicInteger(payloads.size());
            Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(20))
                    .until(() -> seen.getAndSet(payloads.size()) == payloads.size());
            int before = payloads.size();
            // As fifty events committing at once would: the first sends, the rest wait for one more.
            for (int i = 0; i < 50; i++) {
                wakeups.wakeAll();
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> payloads.size() > before);
            // Two here (a loop of 0.6 to 2 ms); each notification that completes while the loop
            // still runs lets one more go, and a loaded machine once let more than five.
            Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> payloads.size() - before <= 10);
        });
    }

    @Test
    void aStoppingInstanceGivesBackWhatIsStillInFlight() {
        Receiver receiver = receiver();
        // The first request is held until this instance has given it back.
        Gate firstReply = gates.shut();
        receiver.reply("/stopping", r -> firstReply.thenReply(200));
        String user = user("stopping").with("plan", "first").put();
        String campaign = laterCampaign("stopping", webhook(receiver.url("/stopping")).withTimeout("PT10S")
                .withData(Map.of("plan", "{user.plan}")));
        send(campaign, List.of(user));
        // The passes the start and the send woke end before the clock moves: one still running
        // after it would find the delivery due, and this instance would send it, not the other.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(dispatcher::idle);
        clock.advance(Duration.ofMinutes(61));

        Pump other = otherInstance();
        other.wakeUp();
        receiver.await("/stopping", 1);
        other.stop(Duration.ofMillis(100));
        firstReply.open();
        Map<String, Object> given = delivery(campaign);
        assertThat(given.get("status")).isEqualTo("PENDING");
        assertThat(given.get("attemptCount")).isEqualTo(0);
        // Given back, it keeps the request rendered for it: the user's change comes too late.
        assertThat(given.get("request")).isNotNull();
        Http.putUser(user, Map.of("plan", "second"));

        // The request given back was still in flight, so it arrives twice, with one webhook-id.
        dispatcher.wakeUp();
        receiver.await("/stopping", 2);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(delivery(campaign)
                .get("status")));
        List<Receiver.Received> got = receiver.at("/stopping");
        assertThat(got.get(1).header("webhook-id")).isEqualTo(got.get(0).header("webhook-id"));
        assertThat(got.get(1).body()).isEqualTo(got.get(0).body()).contains("first");
    }
}
