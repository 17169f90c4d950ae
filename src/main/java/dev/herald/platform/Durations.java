package dev.herald.platform;

import java.time.Duration;

/** Durations shown to people the way the contract writes them: whole days as P30D, not PT720H. */
public final class Durations {

    private Durations() {
    }

    public static String shown(Duration duration) {
        if (!duration.isZero() && duration.toSeconds() % 86_400 == 0 && duration.getNano() == 0) {
            return "P" + duration.toDays() + "D";
        }
        return duration.toString();
    }
}
