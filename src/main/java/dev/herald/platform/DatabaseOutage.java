package dev.herald.platform;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.vertx.pgclient.PgException;

/**
 * Tells a database that cannot be reached from other failures, and logs an outage once a
 * minute rather than once per request or poll.
 */
public final class DatabaseOutage {

    private static final Logger LOG = Logger.getLogger(DatabaseOutage.class);
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;
    private static final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    /** Seconds a client should wait before it tries again. */
    public static final int RETRY_AFTER_SECONDS = 5;

    private DatabaseOutage() {
    }

    /** Whether this failure means Postgres could not be reached (or went away mid-statement). */
    public static boolean isOutage(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof ConnectException || e instanceof NoRouteToHostException
                    || e instanceof UnknownHostException) {
                return true;
            }
            if (e instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P"))) {
                return true;
            }
            String type = e.getClass().getName();
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (type.endsWith("ClosedConnectionException") || type.endsWith("ConnectTimeoutException")
                    || message.contains("Connection refused") || message.equals("Connection closed")
                    || message.contains("Failed to read any response from the server")
                    || message.contains("Timeout waiting for connection")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Logs a failure of {@code what}: an outage at most once a minute (see {@link #report}),
     * anything else as a warning on {@code log}.
     */
    public static void warn(Logger log, String what, Throwable failure) {
        if (isOutage(failure)) {
            report(what, failure);
        } else {
            log.warnf("Failed %s: %s", what, failure.getMessage());
        }
    }

    /** Logs that {@code what} failed because the database is away, at most once a minute. */
    public static void report(String what, Throwable failure) {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= LOG_EVERY_NANOS && lastLogged.compareAndSet(last, now)) {
            LOG.warnf("The database cannot be reached (%s while %s); API calls answer 503 until it is back. "
                    + "This is logged once a minute.", failure.getMessage(), what);
        }
    }
}
