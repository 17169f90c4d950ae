package dev.herald.event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.platform.Contexts;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Stores single events that change and trigger nothing. Each goes to the database at once while
 * a statement slot is free; those that arrive while every slot is busy wait and then go together,
 * in one statement, so that under load a commit carries many events instead of one.
 */
@ApplicationScoped
class QuietEvents {

    /** Statements in flight at once. */
    static final int STATEMENTS = 2;
    /** Events in one statement at the most (their params take up to 64 KiB each). */
    static final int MOST = 100;

    private final EventStore events;
    private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger writing = new AtomicInteger();

    QuietEvents(EventStore events) {
        this.events = events;
    }

    /** Stores the event, or finds the earlier one with its (user, client id), once committed. */
    Uni<EventAccepted> store(TrackedEvent event) {
        return Uni.createFrom().<EventAccepted> emitter(emitter -> {
            waiting.add(new Waiting(event, emitter));
            next();
        })
                // Answered on the thread of the statement's connection: back to the request's.
                .emitOn(Contexts.current());
    }

    /** Takes a free slot for what waits, as long as both last. */
    private void next() {
        while (!waiting.isEmpty()) {
            int busy = writing.get();
            if (busy >= STATEMENTS) {
                // The statement that frees a slot looks again.
                return;
            }
            if (writing.compareAndSet(busy, busy + 1)) {
                List<Waiting> batch = new ArrayList<>();
                for (Waiting next; batch.size() < MOST && (next = waiting.poll()) != null;) {
                    batch.add(next);
                }
                write(batch);
            }
        }
    }

    private void write(List<Waiting> batch) {
        if (batch.isEmpty()) {
            done();
            return;
        }
        if (batch.size() == 1) {
            Waiting only = batch.get(0);
            events.insertOrFindRepeat(events.pool(), only.event()).subscribe().with(
                    id -> {
                        done();
                        only.answer(id);
                    },
                    failure -> {
                        done();
                        only.fail(failure);
                    });
            return;
        }
        // A (user, client id) sent twice at once is stored once; the later ones are its repeats.
        Map<List<String>, Waiting> first = new HashMap<>();
        List<Waiting> distinct = new ArrayList<>(batch.size());
        List<Waiting> repeats = new ArrayList<>();
        for (Waiting one : batch) {
            TrackedEvent event = one.event();
            if (event.clientId() == null || first.putIfAbsent(List.of(event.userId(), event.clientId()), one) == null) {
                distinct.add(one);
            } else {
                repeats.add(one);
            }
        }
        events.insertAllOrFindRepeats(events.pool(), distinct.stream().map(Waiting::event).toList(),
                distinct.get(0).event().receivedAt()).subscribe().with(
                        ids -> {
                            done();
                            try {
                                answer(distinct, repeats, ids);
                            } catch (RuntimeException e) {
                                // No request may be left waiting; those answered already ignore this.
                                batch.forEach(one -> one.fail(e));
                            }
                        },
                        failure -> {
                            // One event the database refuses must not fail the others sent with it.
                            done();
                            batch.forEach(this::alone);
                        });
    }

    /** Answers each event of a group with the id the statement found for it, or for its first. */
    private void answer(List<Waiting> distinct, List<Waiting> repeats, List<UUID> ids) {
        Map<List<String>, UUID> stored = new HashMap<>();
        for (int i = 0; i < distinct.size(); i++) {
            Waiting one = distinct.get(i);
            UUID id = ids.get(i);
            if (id == null) {
                // Its repeat committed while this statement ran: now it can be found.
                alone(one);
                continue;
            }
            one.answer(id);
            if (one.event().clientId() != null) {
                stored.put(List.of(one.event().userId(), one.event().clientId()), id);
            }
        }
        for (Waiting repeat : repeats) {
            UUID id = stored.get(List.of(repeat.event().userId(), repeat.event().clientId()));
            if (id == null) {
                alone(repeat);
            } else {
                repeat.answer(id);
            }
        }
    }

    private void alone(Waiting one) {
        events.insertOrFindRepeat(events.pool(), one.event()).subscribe().with(one::answer, one::fail);
    }

    private void done() {
        writing.decrementAndGet();
        next();
    }

    /** An event waiting for its statement, and its request's answer. */
    private record Waiting(TrackedEvent event, UniEmitter<? super EventAccepted> emitter) {

        void answer(UUID id) {
            emitter.complete(new EventAccepted(id, !id.equals(event.id()), 0));
        }

        void fail(Throwable failure) {
            emitter.fail(failure);
        }
    }
}
