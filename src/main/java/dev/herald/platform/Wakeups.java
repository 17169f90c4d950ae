package dev.herald.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Tells dispatchers that deliveries may be due now: this instance's through a {@link DeliveriesDue}
 * event, every instance's through a Postgres notification. A dispatcher's poll stays as the
 * safety net, so a lost notification only costs one poll interval.
 */
@ApplicationScoped
public class Wakeups {

    public static final String CHANNEL = "herald_deliveries";

    /** Observed by the dispatcher: claim now rather than at the next poll. */
    public record DeliveriesDue() {
    }

    private static final DeliveriesDue DUE = new DeliveriesDue();

    private final Event<DeliveriesDue> due;
    private final Notifications notifications;
    private final Pool pool;

    public Wakeups(Event<DeliveriesDue> due, Notifications notifications, Pool pool) {
        this.due = due;
        this.notifications = notifications;
        this.pool = pool;
    }

    /** Inside a transaction: every instance is woken when (and only if) it commits. */
    public Uni<Void> onCommit(SqlClient transaction) {
        return notifications.notify(transaction, CHANNEL);
    }

    /** Wakes this instance now and the others through the database. */
    public Uni<Void> wakeAll() {
        wakeHere();
        return notifications.notify(pool, CHANNEL);
    }

    /** Wakes this instance's dispatcher, after a commit that made deliveries due. */
    public void wakeHere() {
        due.fire(DUE);
    }

    void listen(@Observes StartupEvent event) {
        notifications.listen(CHANNEL, this::wakeHere);
    }
}
