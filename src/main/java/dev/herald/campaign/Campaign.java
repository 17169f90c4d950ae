package dev.herald.campaign;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.herald.delivery.DeliveryStore;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A webhook campaign, parsed: as stored, and as the API shows it once its secrets are masked.
 * Its parts keep the JSON they were written as, which is what reads show.
 */
@RegisterForReflection
public record Campaign(
        UUID id,
        String name,
        String description,
        CampaignStatus status,
        Audience audience,
        @JsonProperty("delivery") SendPlan plan,
        Limits limits,
        ExitOn exitOn,
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
        return new Campaign(id, name, description, status, audience, plan, limits, exitOn, actions, createdAt,
                updatedAt, startedAt, finishedAt, next, retiredSecrets);
    }

    /** This campaign in status {@code to} at {@code now}: started once, finished when FINISHED. */
    public Campaign moved(CampaignStatus to, Instant now) {
        return new Campaign(id, name, description, to, audience, plan, limits, exitOn, actions, createdAt, now,
                to == CampaignStatus.ACTIVE && startedAt == null ? now : startedAt,
                to == CampaignStatus.FINISHED ? now : finishedAt, nextRunAt, retiredSecrets);
    }

    /** This campaign with the definition of {@code checked}, edited at {@code now}. */
    Campaign replacedBy(CampaignValidator.Checked checked, Instant now) {
        return new Campaign(id, checked.name(), checked.description(), status, checked.audience(), checked.plan(),
                checked.limits(), checked.exitOn(), checked.actions(), createdAt, now, startedAt, finishedAt,
                nextRunAt, retiredSecrets);
    }

    /** This campaign with rotated signing secrets: {@code newActions} sign, {@code retired} still may. */
    Campaign withSecrets(List<Action> newActions, Map<UUID, List<RetiredSecret>> retired, Instant now) {
        return new Campaign(id, name, description, status, audience, plan, limits, exitOn, newActions, createdAt,
                now, startedAt, finishedAt, nextRunAt, retired);
    }

    public Campaign withActions(List<Action> newActions) {
        return new Campaign(id, name, description, status, audience, plan, limits, exitOn, newActions,
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
        return actions.stream().map(a -> a.parsed().url().hostKey()).toArray(String[]::new);
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
