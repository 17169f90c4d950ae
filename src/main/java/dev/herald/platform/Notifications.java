package dev.herald.platform;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Postgres {@code LISTEN/NOTIFY} between the instances of Herald: one connection listens on
 * every channel a part of Herald asked for, and reconnects when the database comes back. Each
 * notification carries the id of the instance that sent it, which ignores its own: it has acted
 * on what it announced before sending.
 */
@ApplicationScoped
public class Notifications {

    private static final Logger LOG = Logger.getLogger(Notifications.class);

    private final Vertx vertx;
    private final Config config;
    private final Map<String, Runnable> handlers = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> heard = new ConcurrentHashMap<>();
    private final String instance = Ids.newId().toString();
    private PgSubscriber subscriber;

    public Notifications(Vertx vertx, Config config) {
        this.vertx = vertx;
        this.config = config;
    }

    /**
     * Sends a notification on {@code channel} to the other instances; inside a transaction, it
     * is sent when (and if) it commits.
     */
    public Uni<Void> notify(SqlClient client, String channel) {
        return client.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(channel, instance)).replaceWithVoid();
    }

    /** Runs {@code handler} on every notification on {@code channel} from another instance. */
    public synchronized void listen(String channel, Runnable handler) {
        handlers.put(channel, handler);
        if (subscriber == null) {
            connect();
        } else {
            subscriber.channel(channel).handler(payload -> heard(channel, payload, handler));
        }
    }

    private void connect() {
        String url = config.getOptionalValue("quarkus.datasource.reactive.url", String.class).orElse(null);
        if (url == null) {
            LOG.warn("No reactive datasource URL: other instances' notifications will not be heard");
            return;
        }
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""));
        config.getOptionalValue("quarkus.datasource.username", String.class).ifPresent(options::setUser);
        config.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1_000L);
        handlers.forEach((channel, handler) -> subscriber.channel(channel).handler(payload -> heard(channel, payload, handler)));
        subscriber.connect().subscribe().with(ignored -> LOG.debugf("Listening on %s", handlers.keySet()),
                failure -> LOG.warnf("Cannot listen for notifications (%s); polls still run", failure.getMessage()));
    }

    private void heard(String channel, String payload, Runnable handler) {
        if (instance.equals(payload)) {
            return;
        }
        heard.computeIfAbsent(channel, c -> new AtomicLong()).incrementAndGet();
        handler.run();
    }

    /** How many notifications on {@code channel} from elsewhere this instance has handled since it started. */
    public long heard(String channel) {
        AtomicLong count = heard.get(channel);
        return count == null ? 0 : count.get();
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.closeAndAwait();
        }
    }
}
