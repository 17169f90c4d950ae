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
 * Records outcomes of attempts in batches: the results that arrive within a couple of
 * milliseconds are written with one statement ({@link DeliveryStore#record}), instead of one
 * round trip each.
 */
@Singleton
public class AttemptRecorder {

    static final int MAX_BATCH = 500;
    private static final long FLUSH_DELAY_MS = 2;

    private record Queued(DeliveryStore.Outcome outcome, UniEmitter<? super Void> done) {
    }

    private final DeliveryStore deliveries;
    private final Vertx vertx;
    private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    public AttemptRecorder(DeliveryStore deliveries, Vertx vertx) {
        this.deliveries = deliveries;
        this.vertx = vertx;
    }

    /**
     * Completes once the outcome is committed (or the claim was found to be gone). {@code result}
     * is null when the delivery ended without an attempt.
     */
    public Uni<Void> record(Claimed claim, AttemptResult result, RetryPolicy.Decision decision, Instant now,
            Instant nextActionDue) {
        DeliveryStore.Outcome outcome = new DeliveryStore.Outcome(claim, result, decision.status(), decision.reason(),
                decision.nextAttemptAt(), now, nextActionDue);
        return Uni.createFrom().emitter(done -> {
            queue.add(new Queued(outcome, done));
            if (flushScheduled.compareAndSet(false, true)) {
                vertx.setTimer(FLUSH_DELAY_MS, id -> flush());
            }
        });
    }

    private void flush() {
        flushScheduled.set(false);
        List<Queued> batch = new ArrayList<>();
        Queued next;
        while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
            batch.add(next);
        }
        if (!queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
            vertx.setTimer(FLUSH_DELAY_MS, id -> flush());
        }
        if (batch.isEmpty()) {
            return;
        }
        // Each caller hears of the failure and logs it against its delivery.
        deliveries.record(batch.stream().map(Queued::outcome).toList()).subscribe().with(
                ignored -> batch.forEach(q -> q.done().complete(null)),
                failure -> batch.forEach(q -> q.done().fail(failure)));
    }
}
