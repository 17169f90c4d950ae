package dev.herald.delivery;

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

    /** The safety-net poll; a send wakes the dispatcher at once. */
    @WithDefault("1s")
    String pollInterval();

    /** Deliveries claimed in one statement. */
    @WithDefault("200")
    int batchSize();

    /** Requests in flight at once on this instance, across all hosts. */
    @WithDefault("512")
    int maxInFlight();

    /** Connections kept open to one destination host. */
    @WithDefault("64")
    int connectionsPerHost();
}
