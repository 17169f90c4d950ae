package dev.herald.event;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import dev.herald.platform.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * Bounds the events taken in and not yet stored, so that while the database stores them more
 * slowly than clients send them, the clients are told at once to send again later (429) instead
 * of waiting in a queue that grows with every request.
 */
@Singleton
class EventBacklog {

    /** Seconds a refused client should wait: a full backlog drains in about that long. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final int limit;
    private final EventMetrics metrics;
    private final AtomicInteger held = new AtomicInteger();

    EventBacklog(EventConfig config, EventMetrics metrics) {
        if (config.backlog() < 1) {
            throw new IllegalArgumentException("herald.events.backlog must be at least 1, found " + config.backlog());
        }
        this.limit = config.backlog();
        this.metrics = metrics;
        metrics.backlog(held::get);
    }

    /**
     * {@code work}, which stores {@code events} events, if the backlog has room for them (a
     * batch larger than the whole backlog is taken when nothing else is held); otherwise a 429.
     * The events count until {@code work} ends, even if the client stops waiting for it first:
     * what a request started is stored all the same and holds its memory until then.
     */
    <R> Uni<R> hold(int events, Supplier<Uni<R>> work) {
        return Uni.createFrom().deferred(() -> {
            if (!take(events)) {
                return Uni.createFrom().failure(refused(events));
            }
            Uni<R> started;
            try {
                started = work.get();
            } catch (RuntimeException e) {
                held.addAndGet(-events);
                return Uni.createFrom().failure(e);
            }
            // Subscribed apart from the caller, so that a client going away does not release what
            // is still held.
            return Uni.createFrom().<R> emitter(emitter -> started.subscribe().with(answer -> {
                held.addAndGet(-events);
                emitter.complete(answer);
            }, failure -> {
                held.addAndGet(-events);
                emitter.fail(failure);
            }));
        });
    }

    /** Events held now. */
    int held() {
        return held.get();
    }

    /**
     * The 429 of a request of {@code events} events (0: not read) when no request with an event
     * may be taken now, whatever its size, counted; null while there is room for one.
     */
    ProblemException refusedWhileFull(int events) {
        return held.get() >= limit ? refused(events) : null;
    }

    /** The 429 of a request of {@code events} events the backlog has no room for, counted. */
    private ProblemException refused(int events) {
        metrics.refused(events);
        return ProblemException.tooMany("Herald holds at most " + limit
                + " events waiting to be stored, and this request's would pass that; nothing of this request "
                + "was stored. Send it again after " + RETRY_AFTER_SECONDS + " second (a repeat of an event "
                + "with an id is recognised), and send fewer requests at once, or more events a request "
                + "with POST /events/batch.", RETRY_AFTER_SECONDS);
    }

    private boolean take(int events) {
        while (true) {
            int now = held.get();
            if (now > 0 && now + events > limit) {
                return false;
            }
            if (held.compareAndSet(now, now + events)) {
                return true;
            }
        }
    }
}
