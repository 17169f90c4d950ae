package dev.herald.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import dev.herald.campaign.Campaign;
import dev.herald.delivery.Claimed;
import dev.herald.delivery.DeliveryStore;
import dev.herald.platform.DatabaseOutage;
import dev.herald.platform.Sql;
import dev.herald.user.User;
import io.smallrye.mutiny.Uni;

/**
 * The dispatcher's first part: claims batches of due deliveries while this instance has room for
 * more requests in flight, hands each claim to {@link Preparation} and then to {@link Sender}
 * while it claims the next, and at shutdown gives back what it still holds. Each request runs on
 * its own: a slow host holds only its own requests.
 */
public final class Pump {

    private static final Logger LOG = Logger.getLogger(Pump.class);

    private final DeliveryStore deliveries;
    private final Preparation preparation;
    private final Sender sender;
    private final DeliveryConfig config;
    private final Clock clock;

    private final AtomicBoolean pumping = new AtomicBoolean();
    private final AtomicBoolean wakeAgain = new AtomicBoolean();
    /** The last pass found no room in this instance: a finished request should claim again. */
    private final AtomicBoolean saturated = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Deliveries claimed and not yet carried out: their batch is being prepared. */
    private final AtomicInteger preparing = new AtomicInteger();
    /** Deliveries this pump has claimed and not yet recorded or given back. */
    private final Map<UUID, Claimed> claimed = new ConcurrentHashMap<>();
    /** Deliveries written claimed for this pump, waiting for their batch to be prepared. */
    private final Queue<Taken> taken = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean preparingTaken = new AtomicBoolean();
    private volatile boolean stopping;

    Pump(DeliveryStore deliveries, Preparation preparation, Sender sender, DeliveryConfig config, Clock clock) {
        this.deliveries = deliveries;
        this.preparation = preparation;
        this.sender = sender;
        this.config = config;
        this.clock = clock;
        sender.whenRoomFrees(this::wakeUp);
    }

    /** Requests on their way now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Whether no pass is running nor asked for (tests wait for it before moving the clock). */
    boolean idle() {
        return !pumping.get() && !wakeAgain.get();
    }

    /** Starts the pump unless it is running, in which case it makes one more pass. */
    public void wakeUp() {
        if (pumping.compareAndSet(false, true)) {
            pump();
        } else {
            wakeAgain.set(true);
        }
    }

    /**
     * Until when a delivery to {@code host} written now may be claimed for this pump: null when
     * it has no room for one more (the claim's own test), or is stopping. Nothing is reserved:
     * events written at the same moment may each pass, and then the host's guard still keeps its
     * share when they are sent (a request it refuses waits in the database without an attempt).
     */
    Instant claimUntil(String host, Instant now) {
        boolean room = !stopping && room() > 0 && sender.hasRoom(host);
        return room ? Sql.millis(now.plus(config.lease())) : null;
    }

    /**
     * Sends deliveries written claimed for this pump ({@link #claimUntil}) as if a claim had
     * taken them. Stopping, it gives them back at once for another instance.
     */
    void take(List<Claimed> batch, Campaign campaign, User user) {
        Instant now = Sql.millis(clock.instant());
        if (stopping) {
            batch.forEach(c -> detach(c, deliveries.release(c, now, now).replaceWith(false)));
            return;
        }
        batch.forEach(claim -> {
            hold(claim);
            taken.add(new Taken(claim, campaign, user));
        });
        prepareTaken();
    }

    /** A delivery written claimed for this pump, with the campaign and user its writer had. */
    private record Taken(Claimed claim, Campaign campaign, User user) {
    }

    /**
     * Prepares what was taken, one batch at a time: those taken while a batch is prepared make
     * the next, so under load they are prepared together as a claim's would be, and alone
     * nothing waits.
     */
    private void prepareTaken() {
        if (!preparingTaken.compareAndSet(false, true)) {
            return;
        }
        List<Claimed> batch = new ArrayList<>();
        Map<UUID, Campaign> campaigns = new HashMap<>();
        Map<UUID, User> users = new HashMap<>();
        for (Taken next = taken.poll(); next != null; next = batch.size() < config.batchSize() ? taken.poll() : null) {
            batch.add(next.claim());
            campaigns.put(next.campaign().id(), next.campaign());
            users.put(next.claim().id(), next.user());
        }
        prepare(batch, new Preparation.Known(campaigns, users), Sql.millis(clock.instant()), () -> {
            preparingTaken.set(false);
            if (!taken.isEmpty()) {
                prepareTaken();
            }
        });
    }

    /**
     * Stops claiming, lets requests in flight finish for up to {@code grace}, then gives back
     * what is left so another instance takes it at once instead of when the lease ends. A request
     * given back while in flight may still arrive: it would arrive twice, with one webhook-id.
     */
    public void stop(Duration grace) {
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (!claimed.isEmpty() && System.nanoTime() < deadline) {
            sender.recordNow();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Claimed> left = List.copyOf(claimed.values());
        if (left.isEmpty()) {
            return;
        }
        LOG.infof("Giving back %d deliveries still in flight at shutdown", left.size());
        Instant now = Sql.millis(clock.instant());
        Uni.join().all(left.stream().map(c -> deliveries.release(c, now, now)).toList()).andCollectFailures()
                .await().atMost(Duration.ofSeconds(10));
        left.forEach(c -> claimed.remove(c.id()));
    }

    private void pump() {
        if (stopping) {
            pumpDone(false);
            return;
        }
        int room = room();
        if (room <= 0) {
            saturated.set(true);
            pumpDone(false);
            return;
        }
        int wanted = Math.min(room, config.batchSize());
        Instant now = Sql.millis(clock.instant());
        DeliveryStore.HostRoom hostRoom = sender.hostRoom();
        deliveries.claim(now, now.plus(config.lease()), wanted, hostRoom)
                .invoke(claims -> claims.claimed().forEach(this::hold))
                // The next claim runs while this one is prepared: a claim's round trip and its
                // preparation's take about as long, and one after the other they held
                // bench/dispatch to one batch per both.
                .invoke(claims -> prepare(claims.claimed(), Preparation.Known.NOTHING, now, () -> {
                }))
                // Deliveries put off for a campaign's rate, or taken by another instance, left room:
                // others may be due behind them.
                .subscribe().with(
                        claims -> pumpDone(claims.claimed().size() == wanted || claims.putOff() > 0
                                || claims.lost() > 0 || refillable(hostRoom, claims.claimed())),
                        failure -> {
                            DatabaseOutage.warn(LOG, "claiming deliveries", failure);
                            pumpDone(false);
                        });
    }

    /**
     * Deliveries this instance may claim now: room for requests in flight, less what it holds
     * beyond {@code max-in-flight} whose outcomes wait to be recorded, so that while recording is
     * slower than sending (a busy or locked attempts table) what waits in memory stays bounded.
     */
    private int room() {
        int forRequests = config.maxInFlight() - inFlight.get() - preparing.get();
        int forOutcomes = 2 * config.maxInFlight() - claimed.size();
        return Math.min(forRequests, forOutcomes);
    }

    private void hold(Claimed claim) {
        claimed.put(claim.id(), claim);
        preparing.incrementAndGet();
        sender.hold(claim.host());
    }

    /** Prepares a batch and carries out its steps; {@code prepared} runs when it is under way. */
    private void prepare(List<Claimed> batch, Preparation.Known known, Instant now, Runnable prepared) {
        if (batch.isEmpty()) {
            prepared.run();
            return;
        }
        preparation.prepare(batch, known).onTermination().invoke(prepared).subscribe().with(
                steps -> steps.forEach(this::carryOut),
                failure -> {
                    DatabaseOutage.warn(LOG, "preparing deliveries", failure);
                    // Unprepared claims go back at once instead of waiting out their lease.
                    batch.forEach(c -> {
                        preparing.decrementAndGet();
                        sender.unhold(c.host());
                        detach(c, deliveries.release(c, now, now).replaceWith(false));
                    });
                    wakeIfSaturated();
                });
    }

    /**
     * Whether a host the claim filled up to its room has room again already (its requests may end
     * while the claim runs), and may have more due. One that does not yet is claimed for again when
     * it has ({@link Sender#whenRoomFrees}).
     */
    private boolean refillable(DeliveryStore.HostRoom room, List<Claimed> batch) {
        Map<String, Integer> taken = new HashMap<>();
        batch.forEach(c -> taken.merge(c.host(), 1, Integer::sum));
        return taken.entrySet().stream()
                .anyMatch(host -> host.getValue() >= room.of(host.getKey()) && sender.hasRoom(host.getKey()));
    }

    private void pumpDone(boolean more) {
        if (more) {
            pump();
            return;
        }
        pumping.set(false);
        if (wakeAgain.getAndSet(false)) {
            wakeUp();
        }
    }

    private void carryOut(Step step) {
        boolean send = step instanceof Step.Send;
        if (send) {
            inFlight.incrementAndGet();
        }
        preparing.decrementAndGet();
        // Given back at shutdown, a delivery keeps the request rendered for it.
        claimed.put(step.claim().id(), step.claim());
        detach(step.claim(), sender.carryOut(step, this::requestEnded));
        if (!send) {
            wakeIfSaturated();
        }
    }

    /**
     * Runs one delivery's pipeline on its own; a failure is logged against the delivery, which
     * another claim takes up when its lease ends.
     */
    private void detach(Claimed claim, Uni<Boolean> pipeline) {
        pipeline.eventually(() -> {
            claimed.remove(claim.id());
            wakeIfSaturated();
        })
                .subscribe().with(
                        nextActionDueNow -> {
                            if (nextActionDueNow) {
                                wakeUp();
                            }
                        },
                        failure -> LOG.warnf("Recording delivery %s failed: %s", claim.id(), failure.getMessage()));
    }

    private void requestEnded() {
        inFlight.decrementAndGet();
        wakeIfSaturated();
    }

    private void wakeIfSaturated() {
        if (saturated.compareAndSet(true, false)) {
            wakeUp();
        }
    }
}
