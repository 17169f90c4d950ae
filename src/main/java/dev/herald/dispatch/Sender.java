package dev.herald.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import dev.herald.campaign.Action;
import dev.herald.campaign.Campaign;
import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.Claimed;
import dev.herald.delivery.DeliveryReason;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.delivery.DeliveryStore;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;

/**
 * The dispatcher's last part: carries out a {@link Step}. It sends through the host's guard,
 * decides what follows the attempt, and records it; or records an end without a request; or
 * gives a delivery back. Each returns whether the entry's next action is due at once.
 */
public final class Sender {

    private static final Logger LOG = Logger.getLogger(Sender.class);

    private final HostGuards guards;
    private final WebhookSender http;
    private final RetryPolicy retryPolicy;
    private final AttemptRecorder recorder;
    private final DeliveryStore deliveries;
    private final DeliveryMetrics metrics;
    private final Clock clock;

    Sender(HostGuards guards, WebhookSender http, RetryPolicy retryPolicy, AttemptRecorder recorder,
            DeliveryStore deliveries, DeliveryMetrics metrics, Clock clock) {
        this.guards = guards;
        this.http = http;
        this.retryPolicy = retryPolicy;
        this.recorder = recorder;
        this.deliveries = deliveries;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Records the outcomes waiting for their batch now (at shutdown). */
    void recordNow() {
        recorder.flushNow();
    }

    /** How many deliveries each host may be claimed for now. */
    DeliveryStore.HostRoom hostRoom() {
        return guards.room();
    }

    /** Counts a delivery claimed for {@code host} against its room until it ends. */
    void hold(String host) {
        guards.hold(host);
    }

    /** Ends the hold of a delivery that is not sent. */
    void unhold(String host) {
        guards.unhold(host);
    }

    /** Whether {@code host} would be claimed for now. */
    boolean hasRoom(String host) {
        return guards.hasRoom(host);
    }

    /** Runs {@code roomFreed} whenever a host that was not to be claimed for may be again. */
    void whenRoomFrees(Runnable roomFreed) {
        guards.whenRoomFrees(roomFreed);
    }

    Uni<Boolean> carryOut(Step step, Runnable requestEnded) {
        Instant now = Sql.millis(clock.instant());
        if (step instanceof Step.Send send) {
            return send(send, requestEnded);
        }
        guards.unhold(step.claim().host());
        if (step instanceof Step.Wait wait) {
            return deliveries.release(wait.claim(), wait.until(), now).replaceWith(false);
        }
        if (step instanceof Step.Skip skip) {
            return record(skip.claim(), skip.campaign(), null,
                    new RetryPolicy.Decision(skip.status(), skip.reason(), null), now);
        }
        Step.NotBuilt notBuilt = (Step.NotBuilt) step;
        // The destination's guard is never asked: its breaker and its share of requests belong
        // to requests that could reach it.
        LOG.infof("Delivery %s cannot be built: %s", step.claim().id(), notBuilt.problem());
        return record(step.claim(), notBuilt.campaign(), AttemptResult.notBuilt(now, notBuilt.problem()),
                new RetryPolicy.Decision(DeliveryStatus.FAILED, DeliveryReason.RENDER_ERROR, null), now);
    }

    /** {@code requestEnded} runs when the request is over, before its outcome is recorded. */
    private Uni<Boolean> send(Step.Send step, Runnable requestEnded) {
        Claimed claim = step.claim();
        Campaign campaign = step.campaign();
        Action action = step.action();
        List<String> secrets = campaign == null ? List.of() : campaign.signingSecrets(claim.actionId(), clock.instant());
        Duration timeout = action == null ? Duration.parse(Action.DEFAULT_TIMEOUT) : action.parsed().timeout();
        return guards.call(claim.host(),
                () -> http.send(claim.id().toString(), claim.request(), claim.credentials(), secrets, timeout))
                .onTermination().invoke(requestEnded)
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
                    Instant openUntil = guards.openUntil(claim.host());
                    Instant due = openUntil != null && openUntil.isAfter(now) ? openUntil : now.plusSeconds(1);
                    return deliveries.release(claim, due, now).replaceWith(false);
                });
    }

    /** Records the outcome; true when it makes the entry's next action due at once. */
    private Uni<Boolean> record(Claimed claim, Campaign campaign, AttemptResult result,
            RetryPolicy.Decision decision, Instant now) {
        Long nextActionDelay = nextActionDelay(campaign, claim);
        boolean entryGoesOn = decision.status().isFinal() && nextActionDelay != null;
        Instant nextActionDue = entryGoesOn ? now.plusMillis(nextActionDelay) : null;
        return recorder.record(claim, result, decision, now, nextActionDue)
                .map(recorded -> {
                    // An outcome whose claim had ended is another claim's to count.
                    if (!recorded) {
                        return false;
                    }
                    if (result != null) {
                        metrics.attempted(result);
                    }
                    if (decision.status().isFinal()) {
                        metrics.finished(decision.status(), decision.reason());
                    }
                    return entryGoesOn && nextActionDelay == 0;
                });
    }

    private static Long nextActionDelay(Campaign campaign, Claimed claim) {
        if (campaign == null || claim.actionIndex() + 1 >= campaign.actions().size()) {
            return null;
        }
        return campaign.actions().get(claim.actionIndex() + 1).parsed().delay().toMillis();
    }
}
