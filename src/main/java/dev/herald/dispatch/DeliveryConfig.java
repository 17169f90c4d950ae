package dev.herald.dispatch;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the delivery engine ({@code herald.delivery.*}). */
@ConfigMapping(prefix = "herald.delivery")
public interface DeliveryConfig {

    /** Waits between attempts; its length plus one is the default number of attempts. */
    @WithDefault("5s,5m,30m,2h,5h,10h,14h,20h,24h")
    List<Duration> retrySchedule();

    /** How long a claimed delivery stays with the instance that claimed it. */
    @WithDefault("PT2M")
    Duration lease();

    /** At shutdown, how long requests in flight may take to finish before they are given back. */
    @WithDefault("PT10S")
    Duration shutdownGrace();

    /** The safety-net poll; a send wakes the dispatcher at once. */
    @WithDefault("1s")
    String pollInterval();

    /** How often each instance counts due, unclaimed deliveries for its metrics. */
    @WithDefault("15s")
    String lagInterval();

    /** How often each instance folds the changes to runs' delivery counts into their totals. */
    @WithDefault("5s")
    String countInterval();

    /** Deliveries claimed in one statement. */
    @WithDefault("200")
    int batchSize();

    /** Requests in flight at once on this instance, across all hosts. */
    @WithDefault("512")
    int maxInFlight();

    /** Requests in flight at once to one destination host (host and port) on this instance. */
    @WithDefault("64")
    int connectionsPerHost();

    /**
     * How long the outcomes of attempts gather before one statement records them all (at most
     * 500 a statement). At shutdown they are recorded at once. Longer gathers more a statement,
     * which costs Postgres less per outcome; the webhook has left already, only its outcome is
     * later (bench/RESULTS.md).
     */
    @WithDefault("10ms")
    Duration recordDelay();

    /** The circuit breaker of each destination host. */
    Breaker breaker();

    interface Breaker {
        /** Attempts in the rolling window the failure ratio is computed over. */
        @WithDefault("20")
        int requestVolume();

        /** Share of failures in the window (connection errors, timeouts, 429, 5xx) that opens it. */
        @WithDefault("0.5")
        double failureRatio();

        /** How long it stays open before one attempt probes the host again. */
        @WithDefault("PT30S")
        Duration delay();
    }
}
