package dev.herald.delivery;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.herald.platform.Notifications;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Wakes dispatchers when deliveries become due now: this instance's directly, every instance's
 * through a Postgres notification. The dispatcher's poll stays as the safety net, so a lost
 * notification only costs one poll interval.
 */
@ApplicationScoped
public class Wakeups {

    static final String CHANNEL = "herald_deliveries";

    private final Dispatcher dispatcher;
    private final Notifications notifications;
    private final Pool pool;

    public Wakeups(Dispatcher dispatcher, Notifications notifications, Pool pool) {
        this.dispatcher = dispatcher;
        this.notifications = notifications;
        this.pool = pool;
    }

    /** Inside a transaction: every instance is woken when (and only if) it commits. */
    public Uni<Void> onCommit(SqlClient transaction) {
        return notifications.notify(transaction, CHANNEL);
    }

    /** Wakes this instance now and the others through the database. */
    public Uni<Void> wakeAll() {
        dispatcher.wakeUp();
        return notifications.notify(pool, CHANNEL);
    }

    /** Wakes this instance's dispatcher, after a commit that made deliveries due. */
    public void wakeHere() {
        dispatcher.wakeUp();
    }

    void listen(@Observes StartupEvent event) {
        notifications.listen(CHANNEL, dispatcher::wakeUp);
    }
}
