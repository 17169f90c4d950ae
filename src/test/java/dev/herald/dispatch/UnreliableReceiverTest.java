package dev.herald.dispatch;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.newUsers;
import static dev.herald.support.Http.send;
import static dev.herald.support.Http.userId;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.support.Campaigns.Webhook;
import dev.herald.support.Gate;
import dev.herald.support.Gates;
import dev.herald.support.Http;
import dev.herald.support.MovableClock;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Receivers that misbehave on purpose. Each delivery ends in the state and attempt count the
 * contract says; time between attempts is moved with the clock. Each test has receivers of its
 * own: a destination's breaker is shared by everything sent there.
 */
@QuarkusTest
class UnreliableReceiverTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();
    @RegisterExtension
    final Gates gates = new Gates();

    @Inject
    MovableClock clock;

    @Inject
    Dispatcher dispatcher;

    private static Receiver receiver() {
        return receivers.fresh();
    }

    private String sendOne(String name, Webhook action) {
        String user = user(name).put();
        String campaign = campaign(name, action).start();
        send(campaign, List.of(user));
        return campaign;
    }

    private static JsonPath delivery(String campaign) {
        String id = admin().get("/api/v1/deliveries?campaignId=" + campaign).then().extract().path("items[0].id");
        return admin().get("/api/v1/deliveries/{id}", id).then().statusCode(200).extract().jsonPath();
    }

    private static void awaitAttempts(String campaign, int attempts, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
            JsonPath d = delivery(campaign);
            return d.getList("attempts").size() == attempts && status.equals(d.getString("status"));
        });
    }

    /** Moves time past the next attempt and wakes the dispatcher. */
    private void nextAttempt(String campaign) {
        Instant due = Instant.parse(delivery(campaign).getString("dueAt"));
        Duration wait = Duration.between(clock.instant(), due);
        clock.advance(wait.isNegative() ? Duration.ZERO : wait.plusMillis(10));
        dispatcher.wakeUp();
    }

    /** Moves to the last of {@code attempts} attempts, which fails and ends the delivery. */
    private void lastAttemptFails(String campaign, int attempts) {
        nextAttempt(campaign);
        awaitAttempts(campaign, attempts, "FAILED");
        assertThat(delivery(campaign).getString("reason")).isEqualTo("RETRIES_EXHAUSTED");
    }

    @Test
    void failsTwiceThenSucceeds() {
        Receiver receiver = receiver();
        AtomicInteger calls = new AtomicInteger();
        receiver.reply("/twice", r -> Receiver.Reply.of(calls.incrementAndGet() <= 2 ? 500 : 204));
        String campaign = sendOne("twice", webhook(receiver.url("/twice")));
        awaitAttempts(campaign, 1, "PENDING");
        nextAttempt(campaign);
        awaitAttempts(campaign, 2, "PENDING");
        nextAttempt(campaign);
        awaitAttempts(campaign, 3, "DELIVERED");
        assertThat(delivery(campaign).getList("attempts.statusCode")).containsExactly(500, 500, 204);
        List<Receiver.Received> got = receiver.at("/twice");
        assertThat(got).extracting(r -> r.header("webhook-id")).containsOnly(got.get(0).header("webhook-id"));
    }

    @Test
    void aRetrySendsTheFirstAttemptsRequestAfterTheUserChanged() {
        Receiver receiver = receiver();
        AtomicInteger calls = new AtomicInteger();
        receiver.reply("/again", r -> Receiver.Reply.of(calls.incrementAndGet() == 1 ? 503 : 204));
        String user = user("again").with("plan", "first").put();
        String campaign = campaign("again", webhook(receiver.url("/again")).withData(Map.of("plan", "{user.plan}")))
                .start();
        send(campaign, List.of(user));
        awaitAttempts(campaign, 1, "PENDING");
        // Stored with the first attempt's outcome, rendered when it was first due.
        assertThat(delivery(campaign).getString("request.body")).contains("first");

        Http.putUser(user, Map.of("plan", "second"));
        nextAttempt(campaign);
        awaitAttempts(campaign, 2, "DELIVERED");
        List<Receiver.Received> got = receiver.at("/again");
        assertThat(got).hasSize(2);
        assertThat(got.get(1).body()).isEqualTo(got.get(0).body()).contains("first");
    }

    @Test
    void retryWaitsFollowTheScheduleWithJitter() {
        Receiver receiver = receiver();
        receiver.reply("/schedule", r -> Receiver.Reply.of(503));
        String campaign = sendOne("schedule", webhook(receiver.url("/schedule")).withMaxAttempts(3));
        awaitAttempts(campaign, 1, "PENDING");
        JsonPath first = delivery(campaign);
        Duration wait = Duration.between(Instant.parse(first.getString("attempts[0].startedAt")),
                Instant.parse(first.getString("dueAt")));
        assertThat(wait).isBetween(Duration.ofMillis(3_900), Duration.ofMillis(6_100));
        nextAttempt(campaign);
        awaitAttempts(campaign, 2, "PENDING");
        JsonPath second = delivery(campaign);
        Duration wait2 = Duration.between(Instant.parse(second.getString("attempts[1].startedAt")),
                Instant.parse(second.getString("dueAt")));
        assertThat(wait2).isBetween(Duration.ofSeconds(239), Duration.ofSeconds(361));
        lastAttemptFails(campaign, 3);
    }

    @Test
    void alwaysFailingEndsRetriesExhausted() {
        Receiver receiver = receiver();
        receiver.reply("/always", r -> Receiver.Reply.of(500));
        String campaign = sendOne("always", webhook(receiver.url("/always")).withMaxAttempts(2));
        awaitAttempts(campaign, 1, "PENDING");
        lastAttemptFails(campaign, 2);
        assertThat(receiver.at("/always")).hasSize(2);
    }

    @Test
    void hangingPastTheTimeoutIsRetriedThenTimeout() {
        Receiver receiver = receiver();
        Gate hanging = gates.shut();
        receiver.reply("/hang", r -> hanging.thenReply(200));
        String campaign = sendOne("hang", webhook(receiver.url("/hang")).withTimeout("PT1S"));
        awaitAttempts(campaign, 1, "PENDING");
        JsonPath d = delivery(campaign);
        assertThat(d.getString("attempts[0].error")).contains("timed out");
        assertThat(d.getInt("attempts[0].latencyMs")).isBetween(900, 2_900);

        String single = sendOne("hang-once", webhook(receiver.url("/hang")).withTimeout("PT1S").withMaxAttempts(1));
        awaitAttempts(single, 1, "FAILED");
        assertThat(delivery(single).getString("reason")).isEqualTo("TIMEOUT");
    }

    @Test
    void tooManyRequestsHonoursALaterRetryAfter() {
        Receiver receiver = receiver();
        receiver.reply("/busy-seconds", r -> new Receiver.Reply(429, Map.of("Retry-After", "120"), ""));
        String seconds = sendOne("busy-seconds", webhook(receiver.url("/busy-seconds")));
        awaitAttempts(seconds, 1, "PENDING");
        JsonPath d = delivery(seconds);
        assertThat(Duration.between(Instant.parse(d.getString("attempts[0].startedAt")),
                Instant.parse(d.getString("dueAt")))).isBetween(Duration.ofSeconds(119), Duration.ofSeconds(121));

        Instant until = clock.instant().plusSeconds(600);
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(until.atZone(ZoneOffset.UTC));
        receiver.reply("/busy-date", r -> new Receiver.Reply(429, Map.of("Retry-After", date), ""));
        String dated = sendOne("busy-date", webhook(receiver.url("/busy-date")));
        awaitAttempts(dated, 1, "PENDING");
        assertThat(Instant.parse(delivery(dated).getString("dueAt"))).isAfterOrEqualTo(until.minusSeconds(1));

        AtomicInteger calls = new AtomicInteger();
        receiver.reply("/busy-short", r -> calls.incrementAndGet() == 1
                ? new Receiver.Reply(429, Map.of("Retry-After", "2"), "")
                : Receiver.Reply.of(200));
        String shortWait = sendOne("busy-short", webhook(receiver.url("/busy-short")));
        awaitAttempts(shortWait, 1, "PENDING");
        JsonPath s = delivery(shortWait);
        // The schedule's first wait (5 s ± 20%) is later than 2 s, so it wins.
        assertThat(Duration.between(Instant.parse(s.getString("attempts[0].startedAt")),
                Instant.parse(s.getString("dueAt")))).isBetween(Duration.ofMillis(3_900), Duration.ofMillis(6_100));
        nextAttempt(shortWait);
        awaitAttempts(shortWait, 2, "DELIVERED");
    }

    @Test
    void goneAndRedirectAreFinal() {
        Receiver receiver = receiver();
        receiver.reply("/gone-for-good", r -> Receiver.Reply.of(410));
        String gone = sendOne("gone-for-good", webhook(receiver.url("/gone-for-good")));
        awaitAttempts(gone, 1, "FAILED");
        assertThat(delivery(gone).getString("reason")).isEqualTo("PERMANENT_STATUS");

        receiver.reply("/moved", r -> new Receiver.Reply(302, Map.of("Location", receiver.url("/moved-here")), ""));
        String moved = sendOne("moved", webhook(receiver.url("/moved")));
        awaitAttempts(moved, 1, "FAILED");
        JsonPath d = delivery(moved);
        assertThat(d.getString("reason")).isEqualTo("PERMANENT_STATUS");
        assertThat(d.getInt("lastStatusCode")).isEqualTo(302);
        assertThat(d.getString("attempts[0].responseHeaders.location")).endsWith("/moved-here");
        assertThat(receiver.at("/moved-here")).isEmpty();
    }

    @Test
    void connectionRefusedIsRetried() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String campaign = sendOne("refused", webhook("http://127.0.0.1:" + port + "/refused").withMaxAttempts(2));
        awaitAttempts(campaign, 1, "PENDING");
        assertThat(delivery(campaign).getString("attempts[0].error")).isNotBlank();
        assertThat(delivery(campaign).getString("attempts[0].statusCode")).isNull();
        lastAttemptFails(campaign, 2);
    }

    @Test
    void aHangingHostDoesNotHoldBackAnotherHost() {
        Receiver receiver = receiver();
        Receiver slowHost = receiver();
        Gate slowReplies = gates.shut();
        slowHost.reply("/slow", r -> slowReplies.thenReply(200));
        List<String> slowUsers = newUsers("slow", 30);
        List<String> fastUsers = newUsers("fast", 20);
        String slow = campaign("slow host", webhook(slowHost.url("/slow")).withTimeout("PT10S")).start();
        String fast = campaign("fast host", webhook(receiver.url("/fast"))).start();
        send(slow, slowUsers);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> slowHost.at("/slow").size() >= 8);

        long start = System.nanoTime();
        send(fast, fastUsers);
        receiver.await("/fast", 20);
        Duration fastTook = Duration.ofNanos(System.nanoTime() - start);
        assertThat(fastTook).isLessThan(Duration.ofSeconds(3));
        // The slow host never had more than its share (8 in tests) of requests at once.
        assertThat(slowHost.at("/slow").size()).isLessThanOrEqualTo(8);
        // Once the slow host answers, the rest of its share follows.
        slowReplies.open();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> slowHost.at("/slow").size() == 30);
    }

    @Test
    void anOpenBreakerHoldsDeliveriesWithoutSpendingAttempts() {
        Receiver failing = receiver();
        {
            AtomicInteger mode = new AtomicInteger(500);
            failing.reply("/breaker", r -> Receiver.Reply.of(mode.get()));
            List<String> first = newUsers("breaker", 4);
            String campaign = campaign("breaker", webhook(failing.url("/breaker"))).start();
            send(campaign, first);
            failing.await("/breaker", 4);
            Awaitility.await().until(() -> admin().get("/api/v1/deliveries?campaignId=" + campaign
                    + "&status=PENDING").then().extract().<Integer> path("items.size()") == 4);

            String held = user("held").put();
            send(campaign, List.of(held));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
                JsonPath d = admin().get("/api/v1/deliveries?userId=" + held).then().extract().jsonPath();
                return "PENDING".equals(d.getString("items[0].status")) && d.getInt("items[0].attemptCount") == 0;
            });
            assertThat(failing.at("/breaker")).hasSize(4);

            // The breaker's delay (2 s in tests) runs on the real clock; then one probe closes it.
            mode.set(200);
            Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
                clock.advance(Duration.ofSeconds(1));
                dispatcher.wakeUp();
                return "DELIVERED".equals(admin().get("/api/v1/deliveries?userId=" + held).then().extract()
                        .path("items[0].status"));
            });
            String id = admin().get("/api/v1/deliveries?userId=" + held).then().extract().path("items[0].id");
            admin().get("/api/v1/deliveries/{id}", id).then().body("attemptCount", org.hamcrest.Matchers.equalTo(1));
        }
    }

}
