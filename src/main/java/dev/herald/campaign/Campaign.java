package dev.herald.campaign;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.delivery.DeliveryStore;
import dev.herald.destination.ActionUrl;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A webhook campaign as stored, and as the API shows it once its secrets are masked. */
@RegisterForReflection
public record Campaign(
        UUID id,
        String name,
        String description,
        CampaignStatus status,
        JsonNode audience,
        Delivery delivery,
        JsonNode limits,
        JsonNode exitOn,
        List<Action> actions,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant finishedAt,
        Instant nextRunAt,
        @JsonIgnore Map<UUID, List<RetiredSecret>> retiredSecrets) {

    public Campaign masked() {
        return withActions(actions.stream().map(Action::masked).toList());
    }

    public Campaign withNextRunAt(Instant next) {
        return new Campaign(id, name, description, status, audience, delivery, limits, exitOn, actions, createdAt,
                updatedAt, startedAt, finishedAt, next, retiredSecrets);
    }

    /** ONE_TIME and RECURRING campaigns run on a schedule. */
    public boolean scheduled() {
        DeliveryType type = delivery.deliveryType();
        return type == DeliveryType.ONE_TIME || type == DeliveryType.RECURRING;
    }

    public Campaign withActions(List<Action> newActions) {
        return new Campaign(id, name, description, status, audience, delivery, limits, exitOn, newActions,
                createdAt, updatedAt, startedAt, finishedAt, nextRunAt, retiredSecrets);
    }

    /** The secrets that sign an action's requests at {@code now}: the current one, then retired ones. */
    public List<String> signingSecrets(UUID actionId, Instant now) {
        Action action = action(actionId);
        List<String> secrets = new ArrayList<>();
        if (action != null && action.signingSecret() != null) {
            secrets.add(action.signingSecret());
        }
        if (retiredSecrets != null) {
            for (RetiredSecret retired : retiredSecrets.getOrDefault(actionId, List.of())) {
                if (retired.until().isAfter(now)) {
                    secrets.add(retired.secret());
                }
            }
        }
        return secrets;
    }

    /** {@code limits.perUser.max}: at most this many entries per user in the window; null for no cap. */
    public Integer perUserMax() {
        JsonNode perUser = limits == null ? null : limits.get("perUser");
        return perUser == null || perUser.isNull() ? null : perUser.get("max").asInt();
    }

    /** {@code limits.perUser.window}; null means ever. */
    public Duration perUserWindow() {
        JsonNode window = perUserMax() == null ? null : limits.get("perUser").get("window");
        return window == null || window.isNull() ? null : Duration.parse(window.asText());
    }

    /** {@code limits.maxPerMinute}: the campaign's webhooks per minute, or null for no limit. */
    public Integer maxPerMinute() {
        JsonNode value = limits == null ? null : limits.get("maxPerMinute");
        return value == null || value.isNull() ? null : value.asInt();
    }

    /** What each entry of this campaign is made of: one delivery per action. */
    public DeliveryStore.EntryPlan entryPlan() {
        return new DeliveryStore.EntryPlan(id, actionIds(), actionHosts());
    }

    /** The ids of the actions, in order. */
    public UUID[] actionIds() {
        return actions.stream().map(Action::id).toArray(UUID[]::new);
    }

    /** The destination (host and port) of each action, in order. */
    public String[] actionHosts() {
        return actions.stream().map(a -> ActionUrl.parse(a.url()).hostKey()).toArray(String[]::new);
    }

    public Action action(UUID actionId) {
        for (Action action : actions) {
            if (action.id().equals(actionId)) {
                return action;
            }
        }
        return null;
    }
}
