package dev.herald.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.herald.delivery.DeliveryStore;
import dev.herald.platform.Sql;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the count of due, unclaimed deliveries and the due time of the oldest, read from Postgres
 * on a timer: a scrape never waits on the database, and a growing age means the dispatchers are
 * not keeping up.
 */
@Singleton
public class DueLag {

    private static final Logger LOG = Logger.getLogger(DueLag.class);

    private final DeliveryStore deliveries;
    private final Clock clock;
    private volatile DeliveryStore.Due last = new DeliveryStore.Due(0, null);

    public DueLag(DeliveryStore deliveries, DeliveryMetrics metrics, Clock clock) {
        this.deliveries = deliveries;
        this.clock = clock;
        metrics.watchDue(() -> last.count(), this::oldestAgeSeconds);
    }

    @Scheduled(every = "${herald.delivery.lag-interval:15s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> refresh() {
        return deliveries.due(Sql.millis(clock.instant()))
                .invoke(due -> last = due)
                .onFailure().invoke(e -> LOG.debugf("Counting due deliveries failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private double oldestAgeSeconds() {
        Instant oldest = last.oldest();
        if (oldest == null) {
            return 0;
        }
        return Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }
}
