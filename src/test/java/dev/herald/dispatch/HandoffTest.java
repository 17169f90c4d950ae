package dev.herald.dispatch;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.herald.campaign.Campaign;
import dev.herald.campaign.CampaignRepository;
import dev.herald.delivery.Claimed;
import dev.herald.delivery.DeliveryStore;
import dev.herald.platform.Sql;
import dev.herald.support.Campaigns.Limits;
import dev.herald.support.Campaigns.Plan;
import dev.herald.support.Gate;
import dev.herald.support.Gates;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import dev.herald.support.Rows;
import dev.herald.user.User;
import dev.herald.user.UserStore;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Entries due at once are written claimed by this instance and handed to its dispatcher after
 * the commit, so their webhooks leave without waiting for a claim; what cannot be handed over is
 * left due for any instance's claim.
 */
@QuarkusTest
class HandoffTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();
    @RegisterExtension
    static final Gates gates = new Gates();

    @Inject
    Pool pool;
    @Inject
    DeliveryStore deliveries;
    @Inject
    CampaignRepository campaigns;
    @Inject
    UserStore users;
    @Inject
    Pumps pumps;
    @Inject
    Clock clock;

    private static void track(String user, String event) {
        admin().body(Map.of("userId", user, "event", event)).post("/api/v1/events").then().statusCode(202);
    }

    @Test
    void anEntryDueAtOnceIsSentAsWrittenClaimed() {
        Receiver receiver = receivers.fresh();
        Gate reply = gates.shut();
        receiver.reply("/now", r -> reply.thenReply(200));
        String event = "handed_" + System.nanoTime();
        UUID campaign = UUID.fromString(campaign("handed", webhook(receiver.url("/now"))).withPlan(Plan.onEvent(event))
                .start());
        String user = user("handed").put();

        track(user, event);
        receiver.await("/now", 1);
        // Written claimed: no claim has updated it since.
        assertThat(Rows.deliveries(pool, "campaign_id = $1 AND status = 'SENDING' AND attempt_count = 1"
                + " AND locked_until IS NOT NULL AND updated_at = created_at", campaign)).isEqualTo(1);
        reply.open();
        await().atMost(Duration.ofSeconds(10)).until(() -> Rows.deliveries(pool,
                "campaign_id = $1 AND status = 'DELIVERED' AND attempt_count = 1", campaign) == 1);
        assertThat(receiver.at("/now")).hasSize(1);
    }

    @Test
    void aHandedOverDeliveryIsRenderedWithTheCampaignAndUserItCameWith() {
        Receiver receiver = receivers.fresh();
        UUID id = UUID.fromString(campaign("as handed", webhook(receiver.url("/as-handed"))
                .withData(Map.of("name", "{user.name}"))).withPlan(Plan.onEvent("as_handed_" + System.nanoTime()))
                .start());
        Campaign campaign = campaigns.findAll(List.of(id)).await().indefinitely().get(0);
        String userId = user("handed").with("name", "as stored").put();
        User stored = users.find(userId).await().indefinitely();
        User handed = new User(userId, JsonNodeFactory.instance.objectNode().put("name", "as handed"),
                stored.createdAt(), stored.updatedAt());
        Instant now = Sql.millis(clock.instant());
        Claimed claimed = pool.withTransaction(conn -> deliveries.enter(conn, campaign.entryPlan(), userId, null, now,
                now, now.plus(Duration.ofMinutes(1)))).await().indefinitely().claimed().get(0);

        Pump pump = pumps.another();
        try {
            pump.take(List.of(claimed), campaign, handed);

            // Not read again: the stored user would have said "as stored".
            assertThat(receiver.await("/as-handed", 1).get(0).body()).contains("\"name\":\"as handed\"");
        } finally {
            // A second pump must not go on claiming for the tests after this one, even when this one fails.
            pump.stop(Duration.ofSeconds(10));
        }
    }

    @Test
    void aWebhookDueAtOnceSeesTheUserAsItsEventLeftThem() {
        Receiver receiver = receivers.fresh();
        String event = "signed_up_" + System.nanoTime();
        campaign("left", webhook(receiver.url("/left")).withData(Map.of("plan", "{user.plan}")))
                .withPlan(Plan.onEvent(event)).start();
        String user = user("left").with("plan", "free").put();

        admin().body(Map.of("events", List.of(
                Map.of("userId", user, "event", event, "userAttributes", Map.of("plan", "trial")),
                Map.of("userId", user, "event", "upgraded", "userAttributes", Map.of("plan", "pro")))))
                .post("/api/v1/events/batch").then().statusCode(202);

        // The second event of the batch changed the plan after the first had triggered the webhook.
        assertThat(receiver.await("/left", 1).get(0).body()).contains("\"plan\":\"trial\"");
    }

    @Test
    void aRateLimitedCampaignsEntryIsCountedByTheClaim() {
        Receiver receiver = receivers.fresh();
        String event = "limited_" + System.nanoTime();
        UUID campaign = UUID.fromString(campaign("limited", webhook(receiver.url("/limited")))
                .withPlan(Plan.onEvent(event)).withLimits(Limits.maxPerMinute(100)).start());

        track(user("limited").put(), event);
        receiver.await("/limited", 1);
        // Handed over, it would have gone out without taking its place in the campaign's minute.
        assertThat(Rows.count(pool, "campaign_minutes", "campaign_id = $1 AND claimed = 1", campaign)).isEqualTo(1);
    }

    @Test
    void anEntryIsWrittenClaimedOnlyWhenAskedTo() {
        UUID campaign = UUID.fromString(campaign("written", webhook("https://example.com/written"))
                .withPlan(Plan.onEvent("written_" + System.nanoTime())).start());
        DeliveryStore.EntryPlan plan = campaigns.findAll(List.of(campaign)).await().indefinitely().get(0).entryPlan();
        Instant now = Sql.millis(clock.instant());
        Instant until = now.plus(Duration.ofMinutes(1));

        String first = user("claimed").put();
        String second = user("due").put();

        DeliveryStore.Entered claimed = pool.withTransaction(conn -> deliveries.enter(conn, plan, first, null, now, now,
                until)).await().indefinitely();
        // Due later, so that no claim woken by another test's work takes it meanwhile.
        Instant later = now.plus(Duration.ofHours(1));
        DeliveryStore.Entered due = pool.withTransaction(conn -> deliveries.enter(conn, plan, second, null, later, now,
                null)).await().indefinitely();

        assertThat(claimed.entries()).isEqualTo(1);
        assertThat(claimed.claimed()).singleElement().satisfies(c -> {
            assertThat(c.lockedUntil()).isEqualTo(until);
            assertThat(c.attempt()).isEqualTo(1);
            assertThat(c.host()).isEqualTo("example.com:443");
        });
        assertThat(due.entries()).isEqualTo(1);
        assertThat(due.claimed()).isEmpty();
        assertThat(Rows.deliveries(pool, "campaign_id = $1 AND status = 'SENDING' AND locked_until = $2"
                + " AND attempt_count = 1", campaign, Sql.ts(until))).isEqualTo(1);
        assertThat(Rows.deliveries(pool, "campaign_id = $1 AND status = 'PENDING' AND locked_until IS NULL"
                + " AND attempt_count = 0 AND due_at = $2", campaign, Sql.ts(later))).isEqualTo(1);
    }

    @Test
    void aStoppingPumpTakesNothingAndGivesBackWhatItIsHanded() {
        UUID campaign = UUID.fromString(campaign("stopping", webhook("https://example.com/stopping"))
                .withPlan(Plan.onEvent("stopping_" + System.nanoTime())).start());
        DeliveryStore.EntryPlan plan = campaigns.findAll(List.of(campaign)).await().indefinitely().get(0).entryPlan();
        Instant now = Sql.millis(clock.instant());
        Pump pump = pumps.another();
        pump.stop(Duration.ZERO);
        assertThat(pump.claimUntil("example.com:443", now)).isNull();

        String user = user("stopping").put();
        Claimed handed = pool.withTransaction(conn -> deliveries.enter(conn, plan, user, null, now, now,
                now.plus(Duration.ofMinutes(1)))).await().indefinitely().claimed().get(0);
        // Paused, so that no claim woken by another test's work takes it once it is given back.
        admin().post("/api/v1/campaigns/{id}/pause", campaign.toString()).then().statusCode(200);
        pump.take(List.of(handed), campaigns.findAll(List.of(campaign)).await().indefinitely().get(0),
                users.find(user).await().indefinitely());

        await().atMost(Duration.ofSeconds(10)).until(() -> Rows.deliveries(pool,
                "campaign_id = $1 AND status = 'PENDING' AND locked_until IS NULL AND attempt_count = 0", campaign) == 1);
    }
}
