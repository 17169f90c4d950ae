package dev.herald.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.herald.support.Rows;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.sqlclient.Pool;

/** Checks on single events that waited apart for a user another transaction held. */
final class WaitedEvents {

    private WaitedEvents() {
    }

    /** The waited count before such events were sent, to compare with {@link #allStoredAndCounted}. */
    static double counted(MeterRegistry registry) {
        return registry.counter("herald.events.waited").count();
    }

    /**
     * Once the hold has ended: each of {@code waiting}, the events of {@code user}, is answered as
     * stored, all of them are, and each was counted once in {@code herald_events_waited_total}
     * since {@code countedBefore}.
     */
    static void allStoredAndCounted(Pool pool, MeterRegistry registry, String user,
            List<CompletableFuture<EventAccepted>> waiting, double countedBefore) {
        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(waiting).allSatisfy(answer -> assertThat(answer.join().duplicate()).isFalse());
        assertThat(Rows.count(pool, "events", "user_id = $1", user)).isEqualTo(waiting.size());
        assertThat(counted(registry) - countedBefore).isEqualTo(waiting.size());
    }
}
