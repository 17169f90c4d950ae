package dev.herald.dispatch;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.Criteria;
import dev.herald.audience.Evaluator;
import dev.herald.campaign.Action;
import dev.herald.campaign.Campaign;
import dev.herald.delivery.Claimed;
import dev.herald.delivery.DeliveryReason;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.delivery.DeliveryStore;
import dev.herald.event.EventStore;
import dev.herald.platform.Ids;
import dev.herald.platform.Json;
import dev.herald.platform.ProblemException;
import dev.herald.platform.Sql;
import dev.herald.user.User;
import dev.herald.user.UserStore;
import io.smallrye.mutiny.Uni;

/** Renders a campaign for one user without sending (preview), or sends its first action now (test-send). */
@ApplicationScoped
public class PreviewService {

    private final UserStore users;
    private final EventStore events;
    private final RequestRenderer renderer;
    private final WebhookSender sender;
    private final RetryPolicy retryPolicy;
    private final DeliveryStore deliveries;
    private final AttemptRecorder recorder;
    private final DeliveryConfig config;
    private final Json json;
    private final Clock clock;

    public PreviewService(UserStore users, EventStore events, RequestRenderer renderer, WebhookSender sender,
            RetryPolicy retryPolicy, DeliveryStore deliveries, AttemptRecorder recorder, DeliveryConfig config,
            Json json, Clock clock) {
        this.users = users;
        this.events = events;
        this.renderer = renderer;
        this.sender = sender;
        this.retryPolicy = retryPolicy;
        this.deliveries = deliveries;
        this.recorder = recorder;
        this.config = config;
        this.json = json;
        this.clock = clock;
    }

    public Uni<PreviewResult> preview(Campaign campaign, PreviewRequest request) {
        Criteria audience = campaign.audience().criteria();
        return prepare(request, Ids.newId()).chain(prepared -> events.facts(events.pool(),
                List.of(prepared.user().id()), Evaluator.eventNames(audience))
                .map(history -> history.getOrDefault(prepared.user().id(), List.of())).map(history -> {
            RenderContext context = prepared.context();
            List<PreviewResult.ActionPreview> actions = campaign.actions().stream()
                    .map(action -> preview(campaign, action, context))
                    .toList();
            User user = prepared.user();
            boolean inAudience = Evaluator.matches(audience, new Evaluator.Subject(user.id(), user.attributes(),
                    user.createdAt(), null, context.now(), history));
            return new PreviewResult(campaign.id(), context.userId(), inAudience, actions);
        }));
    }

    private PreviewResult.ActionPreview preview(Campaign campaign, Action action, RenderContext context) {
        try {
            return new PreviewResult.ActionPreview(action.id(), action.name(),
                    renderer.render(campaign, action, context).shown(), null);
        } catch (RuntimeException e) {
            // What the dispatcher would record for this user: RENDER_ERROR, with this cause.
            return new PreviewResult.ActionPreview(action.id(), action.name(), null, notBuilt(e));
        }
    }

    private static String notBuilt(RuntimeException e) {
        return "request cannot be built: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    /**
     * Sends the first action now, records it as a test delivery, and answers with the outcome. A
     * request that cannot be built is answered as FAILED with RENDER_ERROR and nothing is sent.
     */
    public Uni<TestSendResult> testSend(Campaign campaign, PreviewRequest request) {
        UUID deliveryId = Ids.newId();
        Action action = campaign.actions().get(0);
        return prepare(request, deliveryId).map(Prepared::context).chain(context -> {
            RequestRenderer.Rendered rendered;
            try {
                rendered = renderer.render(campaign, action, context);
            } catch (RuntimeException e) {
                return Uni.createFrom().item(new TestSendResult(deliveryId, DeliveryStatus.FAILED, DeliveryReason.RENDER_ERROR,
                        null, null, null, null, 0, notBuilt(e)));
            }
            Instant now = context.now();
            Claimed claim = new Claimed(deliveryId, campaign.id(), null, context.userId(),
                    action.parsed().url().hostKey(), action.id(), 0, 1, now.plus(config.lease()),
                    rendered.request(), rendered.credentials(), null, null, false);
            List<String> secrets = campaign.signingSecrets(action.id(), now);
            return deliveries.insertTest(claim, now)
                    .chain(() -> sender.send(deliveryId.toString(), rendered.request(), rendered.credentials(),
                            secrets, action.parsed().timeout()))
                    .chain(result -> {
                        Instant done = Sql.millis(clock.instant());
                        RetryPolicy.Decision decision = retryPolicy.decide(result, 1, 1, done);
                        return recorder.record(claim, result, decision, done, null)
                                .map(ignored -> new TestSendResult(deliveryId, decision.status(), decision.reason(),
                                        rendered.shown(), result.statusCode(), result.responseHeaders(),
                                        result.responseBody(), result.latencyMs(), result.error()));
                    });
        });
    }

    /** The user a preview or test send is for, and what its templates see. */
    private record Prepared(User user, RenderContext context) {
    }

    @SuppressWarnings("unchecked")
    private Uni<Prepared> prepare(PreviewRequest request, UUID deliveryId) {
        if (request == null || request.userId() == null || request.userId().isEmpty()) {
            throw ProblemException.invalid("userId", "is required: the user to render the campaign for");
        }
        if (request.event() != null && !request.event().isNull() && !request.event().isObject()) {
            throw ProblemException.invalid("event", "must be an event object {\"name\", \"params\", \"time\"}");
        }
        if (request.data() != null && !request.data().isNull() && !request.data().isObject()) {
            throw ProblemException.invalid("data", "must be an object");
        }
        Instant now = Sql.millis(clock.instant());
        Map<String, Object> event = eventFields(request.event(), now);
        Map<String, Object> data = request.data() == null || request.data().isNull() ? null
                : json.convert(request.data(), Map.class);
        return users.find(request.userId())
                .onItem().ifNull().failWith(() -> ProblemException.invalid("userId", "no user has the id '"
                        + request.userId() + "'; create it with PUT /api/v1/users/{userId} first"))
                .map(user -> new Prepared(user, new RenderContext(user.id(), json.convert(user.attributes(), Map.class),
                        event, data, deliveryId, now)));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> eventFields(JsonNode event, Instant now) {
        if (event == null || event.isNull()) {
            return null;
        }
        Map<String, Object> fields = new HashMap<>(json.convert(event, Map.class));
        if (!fields.containsKey("name") && fields.containsKey("event")) {
            fields.put("name", fields.get("event"));
        }
        fields.putIfAbsent("time", now.toString());
        fields.putIfAbsent("params", Map.of());
        return fields;
    }
}
