package dev.herald.dispatch;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Singleton;

import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.DeliveryStore;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;

/**
 * One guard per destination host (SmallRye Fault Tolerance): a circuit breaker, so a failing host
 * is left alone for a while, and a bulkhead, so one host never has more than its share of this
 * instance's requests in flight. Hosts whose breaker is open or whose share is used up are not
 * claimed for, so their deliveries wait in the database without spending attempts.
 */
@Singleton
public class HostGuards {

    /** A failed attempt that counts against the host's breaker; it carries the result to record. */
    public static final class HostFailure extends RuntimeException {
        final AttemptResult result;

        HostFailure(AttemptResult result) {
            super(result.error() == null ? "status " + result.statusCode() : result.error(), null, false, false);
            this.result = result;
        }
    }

    private final class Guard {
        final TypedGuard<Uni<AttemptResult>> guard;
        final AtomicInteger inFlight = new AtomicInteger();
        /**
         * Deliveries claimed for the host and not yet ended: in flight, waiting for a
         * connection, or still being prepared. Its room is counted from this.
         */
        final AtomicInteger held = new AtomicInteger();
        volatile Instant openUntil;

        Guard(String host) {
            this.guard = TypedGuard.create(new TypeLiteral<Uni<AttemptResult>>() {
            })
                    .withDescription("webhooks to " + host)
                    .withCircuitBreaker()
                    .requestVolumeThreshold(config.breaker().requestVolume())
                    .failureRatio(config.breaker().failureRatio())
                    .delay(config.breaker().delay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(1)
                    .failOn(HostFailure.class)
                    .onStateChange(state -> openUntil = state == CircuitBreakerState.OPEN
                            ? clock.instant().plus(config.breaker().delay())
                            : null)
                    .done()
                    .withBulkhead()
                    .limit(config.connectionsPerHost())
                    // Claims fill a host up to most(); the rest of the queue is slack.
                    .queueSize(most())
                    .done()
                    // The attempt never blocks and is called on an event loop, and its result
                    // comes back on the caller's context. By default the guard would send both
                    // the call and its result through the event loop's task queue again,
                    // capturing and restoring contexts each time: two hops per webhook.
                    .withThreadOffload(true)
                    .withThreadOffloadExecutor(Runnable::run)
                    .build();
        }
    }

    private final DeliveryConfig config;
    private final Clock clock;
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();
    /** The host of the warm-up's made-up deliveries, whose guard is not among {@link #hosts()}. */
    static final String WARM_UP = "warm-up";
    /** The guard warm-up calls through; its metrics are named "webhooks to warm-up". */
    private final Guard warming;
    private volatile Runnable roomFreed = () -> {
    };

    public HostGuards(DeliveryConfig config, Clock clock, DeliveryMetrics metrics) {
        this.config = config;
        this.clock = clock;
        this.warming = new Guard(WARM_UP);
        metrics.watchOpenBreakers(this::openCount);
    }

    private long openCount() {
        Instant now = clock.instant();
        return guards.values().stream().filter(g -> g.openUntil != null && g.openUntil.isAfter(now)).count();
    }

    /**
     * Counts a delivery claimed for {@code host} against its room until it ends: through
     * {@link #call}, or {@link #unhold} when it is not sent. Claims run while earlier ones are
     * still being prepared, so the room must count those too.
     */
    public void hold(String host) {
        guardOf(host).held.incrementAndGet();
    }

    /** Ends a hold of {@code host} whose delivery is not sent. */
    public void unhold(String host) {
        freed(WARM_UP.equals(host) ? warming : guards.get(host));
    }

    /**
     * Runs one attempt to {@code host}, {@link #hold held} since its claim, through its guard.
     * Results that mean the host is in trouble (no response, 429, 5xx) count as breaker failures;
     * the result comes back either way. A call the breaker or bulkhead refuses fails with their
     * exception and was not made.
     */
    public Uni<AttemptResult> call(String host, Supplier<Uni<AttemptResult>> attempt) {
        Guard guard = guardOf(host);
        guard.inFlight.incrementAndGet();
        return guard.guard.get(() -> attempt.get().map(result -> {
            if (troubled(result)) {
                throw new HostFailure(result);
            }
            return result;
        }))
                .onFailure(HostFailure.class).recoverWithItem(e -> ((HostFailure) e).result)
                .onTermination().invoke(() -> ended(guard));
    }

    /**
     * Runs {@code attempt} through a guard built as every host's is, but of no host (it is not
     * among {@link #hosts()}): the first real host's guard is then built and used by code
     * already loaded and compiled ({@link Warmup}).
     */
    Uni<AttemptResult> warm(Supplier<Uni<AttemptResult>> attempt) {
        return warming.guard.get(attempt);
    }

    /** A host's guard; the warm-up's for {@link #WARM_UP}, which no real host's key can be (it has no port). */
    private Guard guardOf(String host) {
        return WARM_UP.equals(host) ? warming : guards.computeIfAbsent(host, Guard::new);
    }

    /** Until when a host's breaker is open, or null when it is not. */
    public Instant openUntil(String host) {
        Guard guard = guards.get(host);
        return guard == null ? null : guard.openUntil;
    }

    /** A destination host on this instance: requests in flight to it, and until when its breaker is open. */
    public record HostState(String host, int inFlight, Instant openUntil) {
    }

    /** The hosts this instance has sent to, busiest first; {@code openUntil} is null unless open now. */
    public List<HostState> hosts() {
        Instant now = clock.instant();
        List<HostState> hosts = new ArrayList<>();
        guards.forEach((host, guard) -> {
            Instant open = guard.openUntil;
            hosts.add(new HostState(host, guard.inFlight.get(), open != null && open.isAfter(now) ? open : null));
        });
        hosts.sort(Comparator.comparingInt(HostState::inFlight).reversed().thenComparing(HostState::host));
        return hosts;
    }

    /**
     * How many more deliveries this instance may claim for each host: none while its breaker is
     * open; else up to twice its share of connections, less the deliveries it holds for it
     * (being prepared, waiting for a connection, or in flight), so that the next requests are
     * ready when connections free up.
     * A host is claimed for again once half its share is free, so a busy host's claims come in
     * batches rather than one per finished request; {@link #whenRoomFrees} hears of that moment.
     */
    public DeliveryStore.HostRoom room() {
        Instant now = clock.instant();
        List<String> hosts = new ArrayList<>(guards.size());
        List<Integer> room = new ArrayList<>(guards.size());
        guards.forEach((host, guard) -> {
            hosts.add(host);
            room.add(room(guard, now));
        });
        return new DeliveryStore.HostRoom(hosts.toArray(String[]::new), room.toArray(Integer[]::new), most());
    }

    /** Whether {@code host} would be claimed for now (see {@link #room}). */
    public boolean hasRoom(String host) {
        Guard guard = guards.get(host);
        return guard == null || room(guard, clock.instant()) > 0;
    }

    private int room(Guard guard, Instant now) {
        Instant open = guard.openUntil;
        int free = open != null && open.isAfter(now) ? 0 : most() - guard.held.get();
        return free < claimable() ? 0 : free;
    }

    /** Runs {@code roomFreed} whenever a host that was not to be claimed for may be again. */
    public void whenRoomFrees(Runnable roomFreed) {
        this.roomFreed = roomFreed;
    }

    /** Requests to one host in flight or waiting for a connection that claims fill up to. */
    private int most() {
        return 2 * config.connectionsPerHost();
    }

    /** The least room a host is claimed for. */
    private int claimable() {
        return Math.max(1, config.connectionsPerHost() / 2);
    }

    private void ended(Guard guard) {
        guard.inFlight.decrementAndGet();
        freed(guard);
    }

    private void freed(Guard guard) {
        if (guard.held.decrementAndGet() == most() - claimable()) {
            roomFreed.run();
        }
    }

    static boolean troubled(AttemptResult result) {
        if (result.blocked() || result.notBuilt()) {
            return false;
        }
        Integer status = result.statusCode();
        return status == null || status == 429 || status >= 500;
    }
}
