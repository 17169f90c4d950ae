package dev.herald.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.Criteria;
import dev.herald.audience.CriteriaParser;
import dev.herald.audience.EventFact;
import dev.herald.audience.Evaluator;
import dev.herald.campaign.Action;
import dev.herald.campaign.Campaign;
import dev.herald.campaign.CampaignRepository;
import dev.herald.platform.DatabaseOutage;
import dev.herald.platform.Json;
import dev.herald.platform.Sql;
import dev.herald.profile.EventRepository;
import dev.herald.profile.User;
import dev.herald.profile.UserRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Sends due deliveries. A pump claims batches while this instance has room for more requests in
 * flight; it is started by a send in this process and, as a safety net, by a periodic poll.
 * Each request runs on its own: a slow host holds only its own requests.
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    private final DeliveryRepository deliveries;
    private final CampaignRepository campaigns;
    private final UserRepository users;
    private final EventRepository events;
    private final RequestRenderer renderer;
    private final WebhookSender sender;
    private final RetryPolicy retryPolicy;
    private final HostGuards hostGuards;
    private final AttemptRecorder recorder;
    private final DeliveryMetrics metrics;
    private final DeliveryConfig config;
    private final Json json;
    private final Clock clock;

    private final AtomicBoolean pumping = new AtomicBoolean();
    private final AtomicBoolean wakeAgain = new AtomicBoolean();
    /** The last claim left hosts out (or found no room): a finished request should claim again. */
    private final AtomicBoolean saturated = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Deliveries this instance has claimed and not yet recorded or given back. */
    private final Map<UUID, Claimed> claimed = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public Dispatcher(DeliveryRepository deliveries, CampaignRepository campaigns, UserRepository users,
            EventRepository events,
            RequestRenderer renderer, WebhookSender sender, RetryPolicy retryPolicy, HostGuards hostGuards,
            AttemptRecorder recorder, DeliveryMetrics metrics, DeliveryConfig config, Json json, Clock clock) {
        this.deliveries = deliveries;
        this.campaigns = campaigns;
        this.users = users;
        this.events = events;
        this.renderer = renderer;
        this.sender = sender;
        this.retryPolicy = retryPolicy;
        this.hostGuards = hostGuards;
        this.recorder = recorder;
        this.metrics = metrics;
        metrics.watchInFlight(inFlight::get);
        this.config = config;
        this.json = json;
        this.clock = clock;
    }

    @Scheduled(every = "${herald.delivery.poll-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        wakeUp();
    }

    /** Starts the pump unless it is running, in which case it makes one more pass. */
    public void wakeUp() {
        if (pumping.compareAndSet(false, true)) {
            pump();
        } else {
            wakeAgain.set(true);
        }
    }

    void onShutdown(@Observes ShutdownEvent event) {
        stop(config.shutdownGrace());
    }

    /**
     * Stops claiming, lets requests in flight finish for up to {@code grace}, then gives back
     * what is left so another instance takes it at once instead of when the lease ends. A request
     * given back while in flight may still arrive: it would arrive twice, with one webhook-id.
     */
    public void stop(Duration grace) {
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (!claimed.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Claimed> left = List.copyOf(claimed.values());
        if (left.isEmpty()) {
            return;
        }
        LOG.infof("Giving back %d deliveries still in flight at shutdown", left.size());
        Instant now = Sql.millis(clock.instant());
        Uni.join().all(left.stream().map(c -> deliveries.release(c, now, now)).toList()).andCollectFailures()
                .await().atMost(Duration.ofSeconds(10));
        left.forEach(c -> claimed.remove(c.id()));
    }

    private void pump() {
        if (stopping) {
            pumpDone(false);
            return;
        }
        int room = config.maxInFlight() - inFlight.get();
        if (room <= 0) {
            saturated.set(true);
            pumpDone(false);
            return;
        }
        int wanted = Math.min(room, config.batchSize());
        Instant now = Sql.millis(clock.instant());
        List<String> busyHosts = hostGuards.unavailable();
        if (!busyHosts.isEmpty()) {
            saturated.set(true);
        }
        deliveries.claim(now, now.plus(config.lease()), wanted, busyHosts)
                .invoke(claims -> claims.claimed().forEach(c -> claimed.put(c.id(), c)))
                .call(claims -> prepareAndSend(claims.claimed()))
                // Deliveries put off for a campaign's rate left room: others may be due behind them.
                .subscribe().with(
                        claims -> pumpDone(claims.claimed().size() == wanted || claims.putOff() > 0),
                        failure -> {
                            DatabaseOutage.warn(LOG, "claiming deliveries", failure);
                            pumpDone(false);
                        });
    }

    private void pumpDone(boolean more) {
        if (more) {
            pump();
            return;
        }
        pumping.set(false);
        if (wakeAgain.getAndSet(false)) {
            wakeUp();
        }
    }

    /** Renders what has not been rendered, stores it, then sends every claimed delivery. */
    private Uni<Void> prepareAndSend(List<Claimed> batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<UUID> campaignIds = batch.stream().map(Claimed::campaignId).distinct().toList();
        // Users are needed to render, and to place quiet hours in a user's own time zone.
        List<String> userIds = batch.stream().map(Claimed::userId).distinct().toList();
        Uni<Map<String, User>> found = userIds.isEmpty() ? Uni.createFrom().item(Map.of()) : users.findAll(userIds);
        return Uni.combine().all().unis(campaigns.findAll(campaignIds), found).asTuple().chain(both -> {
            Set<String> counted = new HashSet<>();
            both.getItem1().forEach(campaign -> campaign.actions().forEach(action -> counted.addAll(
                    Evaluator.eventNames(CriteriaParser.parseStored(action.condition(), CriteriaParser.Use.CONDITION)))));
            return events.facts(events.pool(), userIds, counted).map(history -> new Loaded(both.getItem1(),
                    both.getItem2(), history));
        })
                // Rendering a batch is CPU work that can reach a megabyte a request: off the event loop.
                .chain(loaded -> Uni.createFrom().item(() -> prepare(batch, loaded))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .chain(prepared -> deliveries.storeRendered(prepared.newlyRendered()).invoke(() -> prepared.ready()
                        .forEach(c -> {
                            Campaign campaign = prepared.campaigns().get(c.campaignId());
                            send(c, campaign, campaign == null ? null : campaign.action(c.actionId()));
                        })));
    }

    /** The deliveries of a batch that can be sent, and those of them rendered just now. */
    private record Prepared(Map<UUID, Campaign> campaigns, List<Claimed> ready, List<Claimed> newlyRendered) {
    }

    /**
     * Decides what each claimed delivery needs: to wait for the end of quiet hours, to end (skipped,
     * or a request that cannot be built), or to be sent, rendering it first when it is new.
     */
    private Prepared prepare(List<Claimed> batch, Loaded loaded) {
        Map<UUID, Campaign> byId = loaded.campaigns().stream()
                .collect(Collectors.toMap(Campaign::id, Function.identity()));
        Map<String, User> usersById = loaded.users();
        Instant now = Sql.millis(clock.instant());
        List<Claimed> ready = new ArrayList<>(batch.size());
        List<Claimed> newlyRendered = new ArrayList<>();
        for (Claimed c : batch) {
            Campaign campaign = byId.get(c.campaignId());
            Action action = campaign == null ? null : campaign.action(c.actionId());
            QuietHours quiet = campaign == null ? null : QuietHours.of(campaign.limits());
            Instant quietUntil = quiet == null ? null : quiet.endAround(now, usersById.get(c.userId()));
            if (quietUntil != null) {
                // Inside the campaign's quiet hours: wait for their end, without an attempt.
                deliveries.release(c, quietUntil, now).eventually(() -> claimed.remove(c.id()))
                        .subscribe().with(ignored -> {
                        }, failure -> LOG.warnf("Releasing delivery %s failed: %s", c.id(), failure.getMessage()));
            } else if (c.request() != null) {
                // Rendered before: it may have been stored by a version that checked less.
                renderer.problem(c.request()).ifPresentOrElse(
                        problem -> notBuilt(c, campaign, problem, now), () -> ready.add(c));
            } else if (action == null) {
                finish(c, campaign, DeliveryStatus.SKIPPED, "ACTION_REMOVED", now);
            } else if (!usersById.containsKey(c.userId())) {
                finish(c, campaign, DeliveryStatus.SKIPPED, "USER_DELETED", now);
            } else if (!conditionHolds(action, usersById.get(c.userId()),
                    loaded.history().getOrDefault(c.userId(), List.of()), now)) {
                finish(c, campaign, DeliveryStatus.SKIPPED, "CONDITION", now);
            } else {
                try {
                    User user = usersById.get(c.userId());
                    RequestRenderer.Rendered rendered = renderer.render(campaign, action, new RenderContext(
                            c.userId(), map(user.attributes()), map(c.eventData()), map(c.triggerData()),
                            c.id(), now));
                    Claimed withRequest = c.rendered(rendered.request(), rendered.credentials());
                    newlyRendered.add(withRequest);
                    ready.add(withRequest);
                } catch (RuntimeException e) {
                    notBuilt(c, campaign, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), now);
                }
            }
        }
        return new Prepared(byId, ready, newlyRendered);
    }

    private void send(Claimed claim, Campaign campaign, Action action) {
        inFlight.incrementAndGet();
        List<String> secrets = campaign == null ? List.of() : campaign.signingSecrets(claim.actionId(), clock.instant());
        Duration timeout = Duration.parse(action == null ? Action.DEFAULT_TIMEOUT : action.timeout());
        hostGuards.call(claim.host(),
                () -> sender.send(claim.id().toString(), claim.request(), claim.credentials(), secrets, timeout))
                // The request is over: its slot is free while the outcome is being recorded.
                .onTermination().invoke(this::requestEnded)
                .chain(result -> {
                    Instant done = Sql.millis(clock.instant());
                    RetryPolicy.Decision decision = retryPolicy.decide(result, claim.attempt(),
                            action == null ? null : action.maxAttempts(), done);
                    return record(claim, campaign, result, decision, done);
                })
                .onFailure(e -> e instanceof CircuitBreakerOpenException || e instanceof BulkheadException)
                .recoverWithUni(refused -> {
                    // Not attempted: the host's breaker is open or its share is in use. Wait in
                    // the database without spending an attempt.
                    Instant now = Sql.millis(clock.instant());
                    Instant openUntil = hostGuards.openUntil(claim.host());
                    Instant due = openUntil != null && openUntil.isAfter(now) ? openUntil : now.plusSeconds(1);
                    return deliveries.release(claim, due, now).eventually(() -> claimed.remove(claim.id()));
                })
                .subscribe().with(ignored -> {
                }, failure -> LOG.warnf("Recording delivery %s failed: %s", claim.id(), failure.getMessage()));
    }

    private void requestEnded() {
        inFlight.decrementAndGet();
        if (saturated.compareAndSet(true, false)) {
            wakeUp();
        }
    }

    /**
     * A request that cannot be built ends its delivery at once, FAILED with RENDER_ERROR and the
     * cause in its attempt. The destination's guard is never asked: its breaker and its share of
     * requests belong to requests that could reach it.
     */
    private void notBuilt(Claimed claim, Campaign campaign, String problem, Instant now) {
        LOG.infof("Delivery %s cannot be built: %s", claim.id(), problem);
        record(claim, campaign, AttemptResult.notBuilt(now, problem),
                new RetryPolicy.Decision(DeliveryStatus.FAILED, "RENDER_ERROR", null), now)
                .subscribe().with(ignored -> {
                }, failure -> LOG.warnf("Recording delivery %s failed: %s", claim.id(), failure.getMessage()));
    }

    /** Ends a delivery without an attempt (skipped). */
    private void finish(Claimed claim, Campaign campaign, DeliveryStatus status, String reason, Instant now) {
        record(claim, campaign, null, new RetryPolicy.Decision(status, reason, null), now)
                .subscribe().with(ignored -> {
                }, failure -> LOG.warnf("Recording delivery %s failed: %s", claim.id(), failure.getMessage()));
    }

    /** Records the outcome; when it makes the entry's next action due at once, sends that too. */
    private Uni<Void> record(Claimed claim, Campaign campaign, AttemptResult result, RetryPolicy.Decision decision,
            Instant now) {
        Long nextActionDelay = nextActionDelay(campaign, claim);
        Instant nextActionDue = decision.status().isFinal() && nextActionDelay != null
                ? now.plusMillis(nextActionDelay)
                : null;
        return recorder.record(claim, result, decision, now, nextActionDue)
                .eventually(() -> claimed.remove(claim.id()))
                .invoke(() -> {
                    if (result != null) {
                        metrics.attempted(result);
                    }
                    if (decision.status().isFinal()) {
                        metrics.finished(decision.status(), decision.reason());
                    }
                    if (decision.status().isFinal() && nextActionDelay != null && nextActionDelay == 0) {
                        wakeUp();
                    }
                });
    }

    private static Long nextActionDelay(Campaign campaign, Claimed claim) {
        if (campaign == null || claim.actionIndex() + 1 >= campaign.actions().size()) {
            return null;
        }
        return Duration.parse(campaign.actions().get(claim.actionIndex() + 1).delay()).toMillis();
    }

    /** An action's condition is checked once, when the action is first due, on the user as it is then. */
    private static boolean conditionHolds(Action action, User user, List<EventFact> history, Instant now) {
        Criteria condition = CriteriaParser.parseStored(action.condition(), CriteriaParser.Use.CONDITION);
        return Evaluator.matches(condition, new Evaluator.Subject(user.id(), user.attributes(), user.createdAt(),
                null, now, history));
    }

    /** What rendering a claimed batch needs: its campaigns, users, and the events their conditions count. */
    private record Loaded(List<Campaign> campaigns, Map<String, User> users, Map<String, List<EventFact>> history) {
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
