package dev.herald.dispatch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Singleton;

import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.Claimed;
import dev.herald.delivery.DeliveryStore;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.Vertx;

/**
 * Records outcomes of attempts in batches: the results that arrive within
 * {@code herald.delivery.record-delay} (10 ms) are written with one statement
 * ({@link DeliveryStore#record}), instead of one round trip each.
 */
@Singleton
public class AttemptRecorder {

    static final int MAX_BATCH = 500;

    private record Queued(DeliveryStore.Outcome outcome, UniEmitter<? super Boolean> done) {
    }

    private final DeliveryStore deliveries;
    private final Vertx vertx;
    private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final long delayMs;

    public AttemptRecorder(DeliveryStore deliveries, Vertx vertx, DeliveryConfig config) {
        this.deliveries = deliveries;
        this.vertx = vertx;
        this.delayMs = Math.max(1, config.recordDelay().toMillis());
    }

    /**
     * Completes once the outcome is committed, with true, or once its claim was found to be gone
     * (its lease ended and another claim may hold it), with false. {@code result} is null when
     * the delivery ended without an attempt.
     */
    public Uni<Boolean> record(Claimed claim, AttemptResult result, RetryPolicy.Decision decision, Instant now,
            Instant nextActionDue) {
        DeliveryStore.Outcome outcome = new DeliveryStore.Outcome(claim, result, decision.status(), decision.reason(),
                decision.nextAttemptAt(), now, nextActionDue);
        return Uni.createFrom().emitter(done -> {
            queue.add(new Queued(outcome, done));
            if (flushScheduled.compareAndSet(false, true)) {
                vertx.setTimer(delayMs, id -> flush());
            }
        });
    }

    /**
     * Writes every outcome queued now without waiting for the timer: at shutdown, so that what
     * was sent is recorded rather than given back and sent again.
     */
    void flushNow() {
        while (!queue.isEmpty()) {
            writeBatch();
        }
    }

    private void flush() {
        flushScheduled.set(false);
        writeBatch();
        if (!queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
            vertx.setTimer(delayMs, id -> flush());
        }
    }

    private void writeBatch() {
        List<Queued> batch = new ArrayList<>();
        Queued next;
        while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            return;
        }
        // Each caller hears of the failure and logs it against its delivery.
        deliveries.record(batch.stream().map(Queued::outcome).toList()).subscribe().with(
                recorded -> batch.forEach(q -> q.done().complete(recorded.contains(q.outcome().claim().id()))),
                failure -> batch.forEach(q -> q.done().fail(failure)));
    }
}
