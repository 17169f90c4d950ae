package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.campaign.Action;
import dev.herald.campaign.Audience;
import dev.herald.campaign.Campaign;
import dev.herald.campaign.CampaignStatus;
import dev.herald.campaign.ExitOn;
import dev.herald.campaign.Limits;
import dev.herald.campaign.PlanFields;
import dev.herald.campaign.SendPlan;
import dev.herald.delivery.Claimed;
import dev.herald.delivery.DeliveryReason;
import dev.herald.delivery.RenderConfig;
import dev.herald.delivery.RenderedRequest;
import dev.herald.platform.Json;
import dev.herald.template.WebhookTemplates;
import dev.herald.user.User;
import io.quarkus.runtime.configuration.MemorySize;

/** The dispatcher's decision for one claimed delivery, without a database or a network. */
class PreparationTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final RenderConfig LIMITS = new RenderConfig() {
        public MemorySize maxUrl() {
            return new MemorySize(BigInteger.valueOf(8192));
        }

        public MemorySize maxHeader() {
            return new MemorySize(BigInteger.valueOf(8192));
        }

        public MemorySize maxBody() {
            return new MemorySize(BigInteger.valueOf(1024));
        }
    };

    private final Preparation preparation = new Preparation(null, null, null,
            new RequestRenderer(new WebhookTemplates(MAPPER), MAPPER, LIMITS, "test"), new Json(MAPPER),
            Clock.fixed(NOW, ZoneOffset.UTC));

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Action webhook(String url, String condition) {
        return new Action(UUID.randomUUID(), "WEBHOOK", null, "PT0S", condition == null ? null : json(condition),
                "POST", url, "application/json", json("{\"plan\": \"{user.plan}\"}"), null, Map.of(), null, "PT15S",
                null, null);
    }

    private static Campaign campaign(String limits, Action... actions) {
        return new Campaign(UUID.randomUUID(), "c", null, CampaignStatus.ACTIVE, Audience.of(null),
                SendPlan.of(PlanFields.manual()), Limits.of(limits == null ? null : json(limits)), ExitOn.NONE,
                List.of(actions), NOW, NOW, NOW, null, null, Map.of());
    }

    private static User user(String attributes) {
        return new User("u-1", (ObjectNode) json(attributes), NOW, NOW);
    }

    private static Claimed claim(Campaign campaign, Action action, RenderedRequest stored) {
        return new Claimed(UUID.randomUUID(), campaign.id(), UUID.randomUUID(), "u-1", "hooks.example.com:443",
                action.id(), 0, 1, NOW.plusSeconds(120), stored, null, null, null, false);
    }

    @Test
    void aNewDeliveryIsRenderedForItsUser() {
        Action action = webhook("https://hooks.example.com/{user.plan}", null);
        Campaign campaign = campaign(null, action);
        Step step = preparation.decide(claim(campaign, action, null), campaign, user("{\"plan\": \"pro\"}"), List.of(),
                NOW);
        assertThat(step).isInstanceOf(Step.Send.class);
        Step.Send send = (Step.Send) step;
        assertThat(send.claim().renderedNow()).isTrue();
        assertThat(send.claim().request().url()).isEqualTo("https://hooks.example.com/pro");
        assertThat(send.claim().request().body()).isEqualTo("{\"plan\":\"pro\"}");
    }

    @Test
    void aStoredRequestIsSentAsItIs() {
        Action action = webhook("https://hooks.example.com/", null);
        Campaign campaign = campaign(null, action);
        RenderedRequest stored = new RenderedRequest("POST", "https://hooks.example.com/", Map.of(), "{}");
        Claimed claimed = claim(campaign, action, stored);
        assertThat(preparation.decide(claimed, campaign, null, List.of(), NOW))
                .isEqualTo(new Step.Send(claimed, campaign, action));
    }

    @Test
    void aStoredRequestPastTheLimitsIsNotBuilt() {
        Action action = webhook("https://hooks.example.com/", null);
        Campaign campaign = campaign(null, action);
        RenderedRequest stored = new RenderedRequest("POST", "https://hooks.example.com/", Map.of(), "x".repeat(2048));
        assertThat(preparation.decide(claim(campaign, action, stored), campaign, null, List.of(), NOW))
                .isInstanceOf(Step.NotBuilt.class);
    }

    @Test
    void whatCannotBeSentIsSkippedWithItsReason() {
        Action action = webhook("https://hooks.example.com/", "{\"attribute\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}");
        Campaign campaign = campaign(null, action);
        Claimed claimed = claim(campaign, action, null);
        assertThat(preparation.decide(claimed, campaign, user("{\"plan\": \"free\"}"), List.of(), NOW))
                .isEqualTo(new Step.Skip(claimed, campaign, DeliveryReason.CONDITION));
        assertThat(preparation.decide(claimed, campaign, null, List.of(), NOW))
                .isEqualTo(new Step.Skip(claimed, campaign, DeliveryReason.USER_DELETED));
        Campaign edited = campaign(null, webhook("https://hooks.example.com/", null));
        assertThat(preparation.decide(claimed, edited, user("{}"), List.of(), NOW))
                .isEqualTo(new Step.Skip(claimed, edited, DeliveryReason.ACTION_REMOVED));
        assertThat(preparation.decide(claimed, null, user("{}"), List.of(), NOW))
                .isEqualTo(new Step.Skip(claimed, null, DeliveryReason.ACTION_REMOVED));
    }

    @Test
    void insideQuietHoursItWaitsForTheirEnd() {
        Action action = webhook("https://hooks.example.com/", null);
        Campaign campaign = campaign("{\"quietHours\": {\"start\": \"11:00\", \"end\": \"13:30\", \"timeZone\": \"UTC\"}}",
                action);
        Claimed claimed = claim(campaign, action, null);
        assertThat(preparation.decide(claimed, campaign, user("{}"), List.of(), NOW))
                .isEqualTo(new Step.Wait(claimed, Instant.parse("2026-12-02T13:30:00Z")));
    }

    @Test
    void aRenderPastTheLimitsIsNotBuilt() {
        Action action = webhook("https://hooks.example.com/", null);
        Campaign campaign = campaign(null, action);
        Step step = preparation.decide(claim(campaign, action, null), campaign,
                user("{\"plan\": \"" + "p".repeat(2048) + "\"}"), List.of(), NOW);
        assertThat(step).isInstanceOf(Step.NotBuilt.class);
        assertThat(((Step.NotBuilt) step).problem()).contains("body");
    }
}
