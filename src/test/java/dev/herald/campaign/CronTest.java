package dev.herald.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fire times against expectations worked out by hand (2026-11-29 is a Sunday; Europe/Berlin
 * springs forward on 2026-03-29 at 02:00, America/New_York falls back on 2026-11-01 at 02:00).
 */
class CronTest {

    @ParameterizedTest(name = "{0} in {1} after {2}")
    @CsvSource(delimiter = ';', value = {
            // every 15 minutes
            "*/15 * * * *; UTC; 2026-11-29T10:07:00Z; 2026-11-29T10:15:00Z",
            "*/15 * * * *; UTC; 2026-11-29T10:15:00Z; 2026-11-29T10:30:00Z",
            "*/15 * * * *; UTC; 2026-11-29T23:50:00Z; 2026-11-30T00:00:00Z",
            // weekdays at 09:00 in Berlin (UTC+1 in winter): Sunday → Monday
            "0 9 * * MON-FRI; Europe/Berlin; 2026-11-29T12:00:00Z; 2026-11-30T08:00:00Z",
            // spring forward: 02:30 does not exist on 2026-03-29 in Berlin; it fires at 03:30 CEST
            "30 2 * * *; Europe/Berlin; 2026-03-28T12:00:00Z; 2026-03-29T01:30:00Z",
            "30 2 * * *; Europe/Berlin; 2026-03-29T01:30:00Z; 2026-03-30T00:30:00Z",
            // fall back: 01:30 happens twice on 2026-11-01 in New York; it fires once, at 01:30 EDT
            "30 1 * * *; America/New_York; 2026-10-31T12:00:00Z; 2026-11-01T05:30:00Z",
            "30 1 * * *; America/New_York; 2026-11-01T05:30:00Z; 2026-11-02T06:30:00Z",
            // month ends: the 31st skips February
            "0 0 31 * *; UTC; 2026-02-01T00:00:00Z; 2026-03-31T00:00:00Z",
            // leap day: next 29 February is in 2028
            "0 12 29 2 *; UTC; 2026-03-01T00:00:00Z; 2028-02-29T12:00:00Z",
            // both day fields restricted: the 13th or any Friday
            "0 0 13 * FRI; UTC; 2026-11-01T00:00:00Z; 2026-11-06T00:00:00Z",
            "0 0 13 * FRI; UTC; 2026-11-06T00:00:00Z; 2026-11-13T00:00:00Z",
            "0 0 13 * 5; UTC; 2026-11-13T00:00:00Z; 2026-11-20T00:00:00Z",
            // only the day of week restricted
            "0 0 * * 5; UTC; 2026-11-07T00:00:00Z; 2026-11-13T00:00:00Z",
            // lists and ranges
            "5,35 8-9 * * *; UTC; 2026-11-29T08:10:00Z; 2026-11-29T08:35:00Z",
            "5,35 8-9 * * *; UTC; 2026-11-29T08:35:00Z; 2026-11-29T09:05:00Z",
            "5,35 8-9 * * *; UTC; 2026-11-29T09:35:00Z; 2026-11-30T08:05:00Z",
            // Sunday written as 7
            "0 10 * * 7; UTC; 2026-11-29T09:00:00Z; 2026-11-29T10:00:00Z",
            // a step from a start value, and month names
            "10/20 * * JAN,DEC *; UTC; 2026-11-29T09:00:00Z; 2026-12-01T00:10:00Z",
            "10/20 * * JAN,DEC *; UTC; 2026-12-01T00:10:00Z; 2026-12-01T00:30:00Z",
            // seconds are ignored: a fire time is a whole minute
            "* * * * *; UTC; 2026-11-29T10:07:30.5Z; 2026-11-29T10:08:00Z" })
    void nextFireTime(String expression, String zone, String after, String expected) {
        assertThat(Cron.parse(expression).next(Instant.parse(after), ZoneId.of(zone)))
                .isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = { "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
            "* * * * 8", "*/0 * * * *", "5-1 * * * *", "* * * FOO *", "1-2-3 * * * *" })
    void invalidExpressionsSayWhy(String expression) {
        assertThatThrownBy(() -> Cron.parse(expression)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("Exception");
    }
}
