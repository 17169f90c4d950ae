package dev.herald.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.herald.delivery.Claimed;
import dev.herald.delivery.Handoff;
import dev.herald.platform.Wakeups;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Sends due deliveries: this instance's {@link Pump}, started when deliveries may be due now
 * ({@link Wakeups}) and, as a safety net, by a periodic poll; deliveries written claimed for it
 * ({@link Handoff}) it sends at once.
 */
@ApplicationScoped
public class Dispatcher implements Handoff {

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

    @Override
    public Instant claimUntil(String host, Instant now) {
        return pump.claimUntil(host, now);
    }

    @Override
    public void take(List<Claimed> claimed) {
        pump.take(claimed);
    }

    /** Starts the pump unless it is running, in which case it makes one more pass. */
    public void wakeUp() {
        pump.wakeUp();
    }

    /** See {@link Pump#stop}. */
    public void stop(Duration grace) {
        pump.stop(grace);
    }
}
