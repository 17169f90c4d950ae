package dev.herald.delivery;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Wakes dispatchers when deliveries become due now: this instance's directly, every instance's
 * through Postgres {@code LISTEN/NOTIFY}. The dispatcher's poll stays as the safety net, so a lost
 * notification only costs one poll interval.
 */
@ApplicationScoped
public class Wakeups {

    static final String CHANNEL = "herald_deliveries";
    private static final Logger LOG = Logger.getLogger(Wakeups.class);

    private final Dispatcher dispatcher;
    private final Pool pool;
    private final Vertx vertx;
    private final Config config;
    private PgSubscriber subscriber;

    public Wakeups(Dispatcher dispatcher, Pool pool, Vertx vertx, Config config) {
        this.dispatcher = dispatcher;
        this.pool = pool;
        this.vertx = vertx;
        this.config = config;
    }

    /** Inside a transaction: every instance is woken when (and only if) it commits. */
    public Uni<Void> onCommit(SqlClient transaction) {
        return transaction.query("NOTIFY " + CHANNEL).execute().replaceWithVoid();
    }

    /** Wakes this instance now and the others through the database. */
    public Uni<Void> wakeAll() {
        dispatcher.wakeUp();
        return pool.query("NOTIFY " + CHANNEL).execute().replaceWithVoid();
    }

    void listen(@Observes StartupEvent event) {
        String url = config.getOptionalValue("quarkus.datasource.reactive.url", String.class).orElse(null);
        if (url == null) {
            LOG.warn("No reactive datasource URL; dispatchers on other instances will not be woken");
            return;
        }
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""));
        config.getOptionalValue("quarkus.datasource.username", String.class).ifPresent(options::setUser);
        config.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1_000L);
        subscriber.channel(CHANNEL).handler(payload -> dispatcher.wakeUp());
        subscriber.connect().subscribe().with(ignored -> LOG.debugf("Listening on %s", CHANNEL),
                failure -> LOG.warnf("Cannot listen for wake-ups (%s); the poll still runs", failure.getMessage()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.closeAndAwait();
        }
    }
}
