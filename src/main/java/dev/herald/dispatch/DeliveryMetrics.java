package dev.herald.dispatch;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

import jakarta.inject.Singleton;

import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.DeliveryReason;
import dev.herald.delivery.DeliveryStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The dispatcher's meters. Every label comes from a closed set (a status, a reason, an outcome
 * class), never from a user, a URL or a delivery, so the number of series stays bounded.
 */
@Singleton
public class DeliveryMetrics {

    /** What an attempt came to, as an operator groups it. */
    enum Outcome {
        SUCCESS("2xx"), REDIRECT("3xx"), CLIENT_ERROR("4xx"), SERVER_ERROR("5xx"), TIMEOUT("timeout"),
        CONNECTION_ERROR("connection_error"), BLOCKED("blocked"), RENDER_ERROR("render_error");

        final String label;

        Outcome(String label) {
            this.label = label;
        }

        static Outcome of(AttemptResult result) {
            if (result.notBuilt()) {
                return RENDER_ERROR;
            }
            if (result.blocked()) {
                return BLOCKED;
            }
            if (result.timedOut()) {
                return TIMEOUT;
            }
            Integer status = result.statusCode();
            if (status == null) {
                return CONNECTION_ERROR;
            }
            if (status >= 500) {
                return SERVER_ERROR;
            }
            if (status >= 400) {
                return CLIENT_ERROR;
            }
            return status >= 300 ? REDIRECT : SUCCESS;
        }
    }

    /** Histogram buckets of attempt latency: from a receiver on the same network to the longest timeout. */
    private static final Duration[] LATENCY_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
            10_000, 30_000, 60_000).map(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final Map<String, Counter> finished = new ConcurrentHashMap<>();
    private final Map<Outcome, Timer> attempts = new ConcurrentHashMap<>();

    public DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Requests this instance has in flight to destination hosts. */
    void watchInFlight(Supplier<Number> inFlight) {
        Gauge.builder("herald.requests.in.flight", inFlight)
                .description("Webhook requests in flight on this instance")
                .register(registry);
    }

    /** Destination hosts whose circuit breaker is open on this instance. */
    void watchOpenBreakers(Supplier<Number> open) {
        Gauge.builder("herald.breakers.open", open)
                .description("Destination hosts whose circuit breaker is open on this instance")
                .register(registry);
    }

    /** Deliveries due and not claimed, and how long the oldest of them has waited. */
    void watchDue(Supplier<Number> due, Supplier<Number> oldestAgeSeconds) {
        Gauge.builder("herald.deliveries.due", due)
                .description("Deliveries of active campaigns that are due and not claimed by any instance")
                .register(registry);
        Gauge.builder("herald.deliveries.due.oldest.age", oldestAgeSeconds)
                .description("How long the oldest due, unclaimed delivery has waited, in seconds (0 when none)")
                .baseUnit("seconds")
                .register(registry);
    }

    /** A delivery reached a final state through the dispatcher. */
    void finished(DeliveryStatus status, DeliveryReason reason) {
        String why = reason == null ? "none" : reason.name();
        finished.computeIfAbsent(status.name() + '/' + why, key -> Counter.builder("herald.deliveries.finished")
                .description("Deliveries that reached a final state in the dispatcher, by status and reason")
                .tag("status", status.name())
                .tag("reason", why)
                .register(registry))
                .increment();
    }

    /** An attempt was made: counted by outcome class, its latency in the histogram. */
    void attempted(AttemptResult result) {
        attempts.computeIfAbsent(Outcome.of(result), outcome -> Timer.builder("herald.attempts")
                .description("Attempts to send a webhook, by outcome class, with their latency")
                .tag("outcome", outcome.label)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry))
                .record(Duration.ofMillis(result.latencyMs()));
    }
}
