package dev.herald.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Real time plus an offset that tests move forward, so schedules come due without sleeping. */
public class MovableClock extends Clock {

    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    public void advance(Duration by) {
        offset.updateAndGet(current -> current.plus(by));
    }

    /**
     * Moves to one second past the start of the next minute and returns that minute, so that a
     * test's own seconds stay inside it.
     */
    public Instant advanceToNextMinute() {
        Instant now = instant();
        advance(Duration.between(now, now.truncatedTo(ChronoUnit.MINUTES).plusSeconds(61)));
        return instant().truncatedTo(ChronoUnit.MINUTES);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("Herald works in UTC");
    }
}
