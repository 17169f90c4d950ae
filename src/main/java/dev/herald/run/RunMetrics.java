package dev.herald.run;

import java.time.Duration;
import java.util.stream.Stream;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Meters of runs: fired and skipped fire times, entries made, and how long fan-outs take. */
@Singleton
public class RunMetrics {

    private final Counter fired;
    private final Counter skipped;
    private final Counter entries;
    private final Timer fanOut;
    private final Counter chunksFailed;

    public RunMetrics(MeterRegistry registry) {
        this.fired = Counter.builder("herald.runs").description("Runs, by whether they fanned out or were skipped")
                .tag("outcome", "fired").register(registry);
        this.skipped = Counter.builder("herald.runs").description("Runs, by whether they fanned out or were skipped")
                .tag("outcome", "skipped").register(registry);
        this.entries = Counter.builder("herald.entries")
                .description("Entries made, by what made them: an event (triggers) or a run")
                .tag("source", "run").register(registry);
        this.fanOut = Timer.builder("herald.fanout")
                .description("How long the statement that writes a chunk of a run's entries and deliveries takes")
                .serviceLevelObjectives(Stream.of(10, 100, 1000, 5000, 10_000, 30_000, 60_000, 300_000)
                        .map(Duration::ofMillis).toArray(Duration[]::new))
                .register(registry);
        this.chunksFailed = Counter.builder("herald.runs.chunks.failed")
                .description("Chunks of a run's audience whose writing failed; the run is taken up again")
                .register(registry);
    }

    void chunkFailed() {
        chunksFailed.increment();
    }

    void fannedOut(Duration took) {
        fanOut.record(took);
    }

    /** Counted after the runs' transaction committed. */
    void committed(int firedRuns, int skippedRuns, long entriesMade) {
        fired.increment(firedRuns);
        skipped.increment(skippedRuns);
        entries.increment(entriesMade);
    }
}
