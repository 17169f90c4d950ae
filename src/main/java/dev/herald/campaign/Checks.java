package dev.herald.campaign;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import dev.herald.platform.Problems;

/** Checks of single values that the parts of {@link CampaignValidator} share. */
final class Checks {

    private Checks() {
    }

    static Instant instant(String field, String value, Problems.Collector errors) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeException e) {
            errors.add(field, "must be an ISO-8601 instant in UTC, such as 2026-12-01T09:00:00Z");
            return null;
        }
    }

    static void zone(String field, String value, Problems.Collector errors) {
        if (value != null && !ZoneId.getAvailableZoneIds().contains(value) && !value.equals("UTC")) {
            errors.add(field, "must be an IANA time zone such as Europe/Berlin");
        }
    }

    /** Past this, due times leave the range of dates the database keeps. */
    static final Duration LONGEST_DURATION = Duration.ofDays(3650);

    static Duration duration(String field, String value, Problems.Collector errors, boolean mayBeNegative) {
        try {
            Duration duration = Duration.parse(value);
            if (duration.isNegative() && !mayBeNegative) {
                errors.add(field, "must not be negative");
            } else if (duration.abs().compareTo(LONGEST_DURATION) > 0) {
                errors.add(field, "must be at most " + LONGEST_DURATION + " (ten years)");
            }
            return duration;
        } catch (DateTimeException e) {
            errors.add(field, "must be an ISO-8601 duration such as PT10M or P1D");
            return null;
        }
    }
}
