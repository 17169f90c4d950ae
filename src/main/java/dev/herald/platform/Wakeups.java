package dev.herald.platform;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Tells dispatchers that deliveries may be due now: this instance's through a {@link DeliveriesDue}
 * event, every other instance's through a Postgres notification sent after the commit that made
 * them due. A dispatcher's poll stays as the safety net, so a notification lost (a crash right
 * after the commit, the database away) only costs one poll interval.
 */
@ApplicationScoped
public class Wakeups {

    private static final Logger LOG = Logger.getLogger(Wakeups.class);

    public static final String CHANNEL = "herald_deliveries";

    /** Observed by the dispatcher: claim now rather than at the next poll. */
    public record DeliveriesDue() {
    }

    private static final DeliveriesDue DUE = new DeliveriesDue();

    private final Event<DeliveriesDue> due;
    private final Notifications notifications;
    private final Pool pool;
    /** 0: no notification on its way; 1: one on its way; 2: and another asked for since it left. */
    private final AtomicInteger sending = new AtomicInteger();

    public Wakeups(Event<DeliveriesDue> due, Notifications notifications, Pool pool) {
        this.due = due;
        this.notifications = notifications;
        this.pool = pool;
    }

    /**
     * After a commit that made deliveries due: wakes this instance now and the others through the
     * database. The notification is sent on its own, not in the transaction that made the
     * deliveries: Postgres serialises the commits of every transaction that notifies, through to
     * their flush to disk, which held triggered events to one commit at a time. Calls while one
     * is on its way are answered by a single notification sent after it, so under load the
     * others hear at most one per round trip.
     */
    public void wakeAll() {
        wakeHere();
        if (sending.getAndUpdate(s -> Math.min(s + 1, 2)) == 0) {
            sendNotification();
        }
    }

    private void sendNotification() {
        notifications.notify(pool, CHANNEL).subscribe().with(ignored -> sent(), failure -> {
            LOG.debugf("Could not notify other instances (%s); their polls will find the deliveries",
                    failure.getMessage());
            sent();
        });
    }

    private void sent() {
        if (sending.getAndDecrement() == 2) {
            sendNotification();
        }
    }

    private void wakeHere() {
        due.fire(DUE);
    }

    void listen(@Observes StartupEvent event) {
        notifications.listen(CHANNEL, this::wakeHere);
    }
}
