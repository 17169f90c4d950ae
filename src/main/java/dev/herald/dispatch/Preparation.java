package dev.herald.dispatch;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.Criteria;
import dev.herald.audience.Evaluator;
import dev.herald.audience.EventFact;
import dev.herald.campaign.Action;
import dev.herald.campaign.Campaign;
import dev.herald.campaign.CampaignRepository;
import dev.herald.campaign.QuietHours;
import dev.herald.delivery.Claimed;
import dev.herald.delivery.DeliveryReason;
import dev.herald.event.EventStore;
import dev.herald.platform.Contexts;
import dev.herald.platform.Json;
import dev.herald.platform.Sql;
import dev.herald.user.User;
import dev.herald.user.UserStore;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The dispatcher's middle part: for a claimed batch, loads what deciding needs (campaigns, users,
 * the events their conditions count) unless a hand-over brought it, and decides each delivery's
 * {@link Step}, rendering the requests of new ones ({@link Claimed#renderedNow}; they are stored
 * with their outcome).
 */
@ApplicationScoped
public class Preparation {

    private final CampaignRepository campaigns;
    private final UserStore users;
    private final EventStore events;
    private final RequestRenderer renderer;
    private final Json json;
    private final Clock clock;

    public Preparation(CampaignRepository campaigns, UserStore users, EventStore events, RequestRenderer renderer,
            Json json, Clock clock) {
        this.campaigns = campaigns;
        this.users = users;
        this.events = events;
        this.renderer = renderer;
        this.json = json;
        this.clock = clock;
    }

    /** What deciding a batch needs: its campaigns, users, and the events their conditions count. */
    record Loaded(Map<UUID, Campaign> campaigns, Map<String, User> users, Map<String, List<EventFact>> history) {
    }

    /**
     * What the writer of handed-over deliveries had already: campaigns by id, and for each
     * delivery (by its id) its user as the triggering event left them. Those are not read again.
     */
    record Known(Map<UUID, Campaign> campaigns, Map<UUID, User> users) {

        static final Known NOTHING = new Known(Map.of(), Map.of());
    }

    public Uni<List<Step>> prepare(List<Claimed> batch, Known known) {
        if (batch.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return load(batch, known)
                // Rendering a batch is CPU work that can reach a megabyte a request: off the event loop.
                .chain(loaded -> Uni.createFrom().item(() -> decideAll(batch, known, loaded))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                        // and back: requests sent from a worker thread each hop to an event loop
                        // on their own, which cost 212 instead of 124 µs of Herald's CPU per
                        // webhook in bench/dispatch.
                        .emitOn(Contexts.current()));
    }

    private Uni<Loaded> load(List<Claimed> batch, Known known) {
        List<UUID> campaignIds = batch.stream().map(Claimed::campaignId)
                .filter(id -> !known.campaigns().containsKey(id)).distinct().toList();
        // Users are needed to render, and to place quiet hours in a user's own time zone.
        List<String> userIds = batch.stream().filter(claim -> !known.users().containsKey(claim.id()))
                .map(Claimed::userId).distinct().toList();
        Uni<List<Campaign>> campaignsRead = campaignIds.isEmpty() ? Uni.createFrom().item(List.of())
                : campaigns.findAll(campaignIds);
        Uni<Map<String, User>> usersRead = userIds.isEmpty() ? Uni.createFrom().item(Map.of()) : users.findAll(userIds);
        return Uni.combine().all().unis(campaignsRead, usersRead).asTuple().chain(both -> {
            Map<UUID, Campaign> byId = new HashMap<>(known.campaigns());
            both.getItem1().forEach(campaign -> byId.put(campaign.id(), campaign));
            Set<String> counted = new HashSet<>();
            byId.values().forEach(campaign -> campaign.actions().forEach(action -> counted.addAll(
                    Evaluator.eventNames(condition(action)))));
            List<String> everyUser = batch.stream().map(Claimed::userId).distinct().toList();
            return events.facts(events.pool(), everyUser, counted)
                    .map(history -> new Loaded(byId, both.getItem2(), history));
        });
    }

    private List<Step> decideAll(List<Claimed> batch, Known known, Loaded loaded) {
        Instant now = Sql.millis(clock.instant());
        List<Step> steps = new ArrayList<>(batch.size());
        for (Claimed claim : batch) {
            User user = known.users().getOrDefault(claim.id(), loaded.users().get(claim.userId()));
            steps.add(decide(claim, loaded.campaigns().get(claim.campaignId()), user,
                    loaded.history().getOrDefault(claim.userId(), List.of()), now));
        }
        return steps;
    }

    /**
     * One delivery's step: wait for the end of quiet hours; end it (skipped, or a request that
     * cannot be built); or send it, rendering it first when it is new. {@code campaign} and
     * {@code user} are null when they are gone.
     */
    Step decide(Claimed claim, Campaign campaign, User user, List<EventFact> history, Instant now) {
        QuietHours quiet = campaign == null ? null : campaign.limits().quietHours();
        Instant quietUntil = quiet == null ? null : quiet.endAround(now, user);
        if (quietUntil != null) {
            return new Step.Wait(claim, quietUntil);
        }
        Action action = campaign == null ? null : campaign.action(claim.actionId());
        if (claim.request() != null) {
            // Rendered before: it may have been stored by a version that checked less.
            return renderer.problem(claim.request())
                    .<Step> map(problem -> new Step.NotBuilt(claim, campaign, problem))
                    .orElseGet(() -> new Step.Send(claim, campaign, action));
        }
        if (action == null) {
            return new Step.Skip(claim, campaign, DeliveryReason.ACTION_REMOVED);
        }
        if (user == null) {
            return new Step.Skip(claim, campaign, DeliveryReason.USER_DELETED);
        }
        // An action's condition is checked once, when the action is first due, on the user as it is then.
        if (!Evaluator.matches(condition(action), new Evaluator.Subject(user.id(), user.attributes(),
                user.createdAt(), null, now, history))) {
            return new Step.Skip(claim, campaign, DeliveryReason.CONDITION);
        }
        try {
            RequestRenderer.Rendered rendered = renderer.render(campaign, action, new RenderContext(claim.userId(),
                    map(user.attributes()), map(claim.eventData()), map(claim.triggerData()), claim.id(), now));
            return new Step.Send(claim.rendered(rendered.request(), rendered.credentials()), campaign, action);
        } catch (RuntimeException e) {
            return new Step.NotBuilt(claim, campaign,
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static Criteria condition(Action action) {
        return action.parsed().condition();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(String jsonObject) {
        return jsonObject == null ? null : json.read(jsonObject, Map.class);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(JsonNode jsonObject) {
        return json.convert(jsonObject, Map.class);
    }
}
