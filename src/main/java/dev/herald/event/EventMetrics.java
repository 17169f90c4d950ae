package dev.herald.event;

import jakarta.inject.Singleton;

import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Meters of event ingestion, counted once what they count is committed. */
@Singleton
public class EventMetrics {

    private final Counter accepted;
    private final Counter duplicates;
    private final Counter entries;
    private final Counter waited;
    private final Counter refused;
    private final Counter refusedRequests;
    private final MeterRegistry registry;

    public EventMetrics(MeterRegistry registry) {
        this.accepted = Counter.builder("herald.events.accepted")
                .description("Events stored (repeats of an event already stored are not counted)")
                .register(registry);
        this.duplicates = Counter.builder("herald.events.duplicates")
                .description("Events refused as repeats of a (userId, id) already stored")
                .register(registry);
        this.entries = Counter.builder("herald.entries")
                .description("Entries made, by what made them: an event (triggers) or a run")
                .tag("source", "event")
                .register(registry);
        this.waited = Counter.builder("herald.events.waited")
                .description("Single events that waited apart because another transaction held their user,"
                        + " or the statement or transaction they shared could not take them")
                .register(registry);
        this.refused = Counter.builder("herald.events.refused")
                .description("Events refused with 429 because the backlog of events waiting to be stored was full"
                        + " (not those of batches refused before their body was read)")
                .register(registry);
        this.refusedRequests = Counter.builder("herald.event.requests.refused")
                .description("Requests of POST /events and /events/batch refused with 429 because the backlog of"
                        + " events waiting to be stored was full")
                .register(registry);
        this.registry = registry;
    }

    /** Registers the gauge of events taken in and not yet answered. */
    void backlog(Supplier<Number> held) {
        Gauge.builder("herald.events.backlog", held)
                .description("Events taken in and not yet stored (at most herald.events.backlog)")
                .register(registry);
    }

    void stored(int acceptedEvents, int duplicateEvents, int entriesMade) {
        accepted.increment(acceptedEvents);
        duplicates.increment(duplicateEvents);
        entries.increment(entriesMade);
    }

    void waited() {
        waited.increment();
    }

    /** A request refused, with its {@code events} (0: not read). */
    void refused(int events) {
        refused.increment(events);
        refusedRequests.increment();
    }
}
