package dev.herald.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.herald.campaign.Campaign;
import dev.herald.delivery.Claimed;
import dev.herald.platform.Wakeups;
import dev.herald.user.User;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Sends due deliveries: this instance's {@link Pump}, started when deliveries may be due now
 * ({@link Wakeups}) and, as a safety net, by a periodic poll; deliveries written claimed for it
 * ({@link #claimUntil}, {@link #take}) it sends at once.
 */
@ApplicationScoped
public class Dispatcher {

    private final Pump pump;
    private final DeliveryConfig config;

    public Dispatcher(Pumps pumps, HostGuards guards, DeliveryMetrics metrics, DeliveryConfig config) {
        this.pump = pumps.create(guards);
        this.config = config;
        metrics.watchInFlight(pump::inFlight);
    }

    @Scheduled(every = "${herald.delivery.poll-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        pump.wakeUp();
    }

    void onDue(@Observes Wakeups.DeliveriesDue due) {
        pump.wakeUp();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        stop(config.shutdownGrace());
    }

    /**
     * Until when a delivery to {@code host} written now would be claimed by this instance; null
     * when it has no room for one (it is full, stopping, or the host's breaker is open) and the
     * delivery should be written due, for any instance's claim. A delivery written claimed is
     * handed over with {@link #take} after its commit: it is sent without a claim's statement.
     */
    public Instant claimUntil(String host, Instant now) {
        return pump.claimUntil(host, now);
    }

    /**
     * Sends deliveries written claimed ({@link #claimUntil}) once their transaction has
     * committed. They are of {@code campaign} and {@code user} as the writer had them, and are
     * rendered with these rather than read again: the user as the triggering event left them,
     * which is when their first action is due.
     */
    public void take(List<Claimed> claimed, Campaign campaign, User user) {
        pump.take(claimed, campaign, user);
    }

    /** Starts the pump unless it is running, in which case it makes one more pass. */
    public void wakeUp() {
        pump.wakeUp();
    }

    /** Requests on their way now (tests). */
    int inFlight() {
        return pump.inFlight();
    }

    /** See {@link Pump#idle}. */
    boolean idle() {
        return pump.idle();
    }

    /** See {@link Pump#stop}. */
    public void stop(Duration grace) {
        pump.stop(grace);
    }
}
