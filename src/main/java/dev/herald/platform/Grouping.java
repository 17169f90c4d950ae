package dev.herald.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Sends work to the database one item at a time while one of a few slots is free; items that
 * arrive while every slot is busy wait and then go together, so that under load a transaction
 * carries many items instead of one, and alone nothing waits.
 *
 * @param <T> an item of work
 * @param <R> its answer
 */
public final class Grouping<T, R> {

    private final int slots;
    private final int most;
    private final Function<T, Uni<R>> first;
    private final Function<List<T>, Uni<List<R>>> together;
    private final Function<T, Uni<R>> alone;
    private final Queue<Waiting<T, R>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger busy = new AtomicInteger();

    /**
     * {@code together} answers a group in its order, and gives null for an item that must be
     * sent {@code alone} after all (one it could not settle). A group that fails is sent again
     * item by item, so that an item the database refuses fails only its own caller.
     */
    public Grouping(int slots, int most, Function<T, Uni<R>> alone, Function<List<T>, Uni<List<R>>> together) {
        this(slots, most, alone, together, alone);
    }

    /**
     * As {@link #Grouping(int, int, Function, Function)}, but an item that has a slot to itself
     * goes to {@code first}, which, as {@code together} does, may give null for an item it could
     * not settle; every item left so goes {@code alone}, outside the slots, so that what waits
     * there holds up none of the items behind it.
     */
    public Grouping(int slots, int most, Function<T, Uni<R>> first, Function<List<T>, Uni<List<R>>> together,
            Function<T, Uni<R>> alone) {
        this.slots = slots;
        this.most = most;
        this.first = first;
        this.together = together;
        this.alone = alone;
    }

    /** Items sent one by one, {@code slots} at once at the most; the others wait in turn. */
    public static <T, R> Grouping<T, R> oneByOne(int slots, Function<T, Uni<R>> each) {
        return new Grouping<>(slots, 1, each, group -> Uni.join().all(group.stream().map(each).toList()).andFailFast());
    }

    /** The item's answer, on the caller's Vert.x context. */
    public Uni<R> submit(T item) {
        return Uni.createFrom().<R> emitter(emitter -> {
            waiting.add(new Waiting<>(item, emitter));
            next();
        })
                // Answered on the thread of the statement's connection: back to the caller's.
                .emitOn(Contexts.current());
    }

    /** Takes a free slot for what waits, as long as both last. */
    private void next() {
        while (!waiting.isEmpty()) {
            int taken = busy.get();
            if (taken >= slots) {
                // The group that frees a slot looks again.
                return;
            }
            if (busy.compareAndSet(taken, taken + 1)) {
                List<Waiting<T, R>> group = new ArrayList<>();
                for (Waiting<T, R> next; group.size() < most && (next = waiting.poll()) != null;) {
                    group.add(next);
                }
                send(group);
            }
        }
    }

    private void send(List<Waiting<T, R>> group) {
        if (group.isEmpty()) {
            done();
        } else if (group.size() == 1) {
            Waiting<T, R> only = group.get(0);
            first.apply(only.item()).subscribe().with(answer -> {
                done();
                if (answer == null) {
                    sendAlone(only);
                } else {
                    only.emitter().complete(answer);
                }
            }, failure -> {
                done();
                only.emitter().fail(failure);
            });
        } else {
            together.apply(group.stream().map(Waiting::item).toList()).subscribe().with(answers -> {
                done();
                try {
                    for (int i = 0; i < group.size(); i++) {
                        if (answers.get(i) == null) {
                            sendAlone(group.get(i));
                        } else {
                            group.get(i).emitter().complete(answers.get(i));
                        }
                    }
                } catch (RuntimeException e) {
                    // No caller may be left waiting; those answered already ignore this.
                    group.forEach(one -> one.emitter().fail(e));
                }
            }, failure -> {
                done();
                group.forEach(this::sendAlone);
            });
        }
    }

    private void sendAlone(Waiting<T, R> one) {
        alone.apply(one.item()).subscribe().with(one.emitter()::complete, one.emitter()::fail);
    }

    private void done() {
        busy.decrementAndGet();
        next();
    }

    private record Waiting<T, R>(T item, UniEmitter<? super R> emitter) {
    }
}
