package dev.herald.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * Fire times against expectations worked out by hand (2026-11-29 is a Sunday; Europe/Berlin
 * springs forward on 2026-03-29 at 02:00, America/New_York falls back on 2026-11-01 at 02:00).
 */
class CronTest {

    /** expression; zone; after; next fire time. Lines starting with # say what the cases below them show. */
    static final String CASES = """
            # every 15 minutes
            */15 * * * *; UTC; 2026-11-29T10:07:00Z; 2026-11-29T10:15:00Z
            */15 * * * *; UTC; 2026-11-29T10:15:00Z; 2026-11-29T10:30:00Z
            */15 * * * *; UTC; 2026-11-29T23:50:00Z; 2026-11-30T00:00:00Z
            # weekdays at 09:00 in Berlin (UTC+1 in winter): Sunday → Monday
            0 9 * * MON-FRI; Europe/Berlin; 2026-11-29T12:00:00Z; 2026-11-30T08:00:00Z
            # spring forward: 02:30 does not exist on 2026-03-29 in Berlin; it fires at 03:30 CEST
            30 2 * * *; Europe/Berlin; 2026-03-28T12:00:00Z; 2026-03-29T01:30:00Z
            30 2 * * *; Europe/Berlin; 2026-03-29T01:30:00Z; 2026-03-30T00:30:00Z
            # fall back: 01:30 happens twice on 2026-11-01 in New York; it fires once, at 01:30 EDT
            30 1 * * *; America/New_York; 2026-10-31T12:00:00Z; 2026-11-01T05:30:00Z
            30 1 * * *; America/New_York; 2026-11-01T05:30:00Z; 2026-11-02T06:30:00Z
            # ... and during the second 01:00-02:00 the first 01:30 has passed: the next is a day on
            30 1 * * *; America/New_York; 2026-11-01T06:00:00Z; 2026-11-02T06:30:00Z
            # a gap's time moved past the gap meets the next hour's: they fire once
            30 2,3 * * *; Europe/Berlin; 2026-03-28T12:00:00Z; 2026-03-29T01:30:00Z
            30 2,3 * * *; Europe/Berlin; 2026-03-29T01:30:00Z; 2026-03-30T00:30:00Z
            # month ends: the 31st skips February
            0 0 31 * *; UTC; 2026-02-01T00:00:00Z; 2026-03-31T00:00:00Z
            # leap day: next 29 February is in 2028
            0 12 29 2 *; UTC; 2026-03-01T00:00:00Z; 2028-02-29T12:00:00Z
            # both day fields restricted: the 13th or any Friday
            0 0 13 * FRI; UTC; 2026-11-01T00:00:00Z; 2026-11-06T00:00:00Z
            0 0 13 * FRI; UTC; 2026-11-06T00:00:00Z; 2026-11-13T00:00:00Z
            0 0 13 * 5; UTC; 2026-11-13T00:00:00Z; 2026-11-20T00:00:00Z
            # only the day of week restricted
            0 0 * * 5; UTC; 2026-11-07T00:00:00Z; 2026-11-13T00:00:00Z
            # lists and ranges
            5,35 8-9 * * *; UTC; 2026-11-29T08:10:00Z; 2026-11-29T08:35:00Z
            5,35 8-9 * * *; UTC; 2026-11-29T08:35:00Z; 2026-11-29T09:05:00Z
            5,35 8-9 * * *; UTC; 2026-11-29T09:35:00Z; 2026-11-30T08:05:00Z
            # Sunday written as 7
            0 10 * * 7; UTC; 2026-11-29T09:00:00Z; 2026-11-29T10:00:00Z
            # a step from a start value, and month names
            10/20 * * JAN,DEC *; UTC; 2026-11-29T09:00:00Z; 2026-12-01T00:10:00Z
            10/20 * * JAN,DEC *; UTC; 2026-12-01T00:10:00Z; 2026-12-01T00:30:00Z
            # seconds are ignored: a fire time is a whole minute
            * * * * *; UTC; 2026-11-29T10:07:30.5Z; 2026-11-29T10:08:00Z
            """;

    /** Where raw cron-utils (Unix) disagrees, and why {@link Cron} places local times itself. */
    static final Set<String> CRON_UTILS_DIFFERS = Set.of(
            // cron-utils skips a fire time that falls in a spring-forward gap; Herald moves it past the gap.
            "30 2 * * *; Europe/Berlin; 2026-03-28T12:00:00Z",
            // cron-utils fires a time that happens twice on a fall-back night twice; Herald fires it once.
            "30 1 * * *; America/New_York; 2026-11-01T06:00:00Z");

    static Stream<Arguments> cases() {
        return CASES.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .map(line -> line.split(";\\s*")).map(f -> Arguments.of(f[0], f[1], f[2], f[3]));
    }

    @ParameterizedTest(name = "{0} in {1} after {2}")
    @MethodSource("cases")
    void nextFireTime(String expression, String zone, String after, String expected) {
        assertThat(Cron.parse(expression).next(Instant.parse(after), ZoneId.of(zone)))
                .isEqualTo(Instant.parse(expected));
    }

    /**
     * Raw cron-utils on the same cases: it agrees but where {@link #CRON_UTILS_DIFFERS} says. If
     * it comes to agree there too, Cron's own placement of local times can go.
     */
    @ParameterizedTest(name = "cron-utils: {0} in {1} after {2}")
    @MethodSource("cases")
    void cronUtilsAgreesButWhereSaid(String expression, String zone, String after, String expected) {
        ExecutionTime times = ExecutionTime.forCron(
                new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)).parse(expression));
        Instant found = times.nextExecution(ZonedDateTime.ofInstant(Instant.parse(after), ZoneId.of(zone)))
                .map(ZonedDateTime::toInstant).orElse(null);
        if (CRON_UTILS_DIFFERS.contains(expression + "; " + zone + "; " + after)) {
            assertThat(found).isNotEqualTo(Instant.parse(expected));
        } else {
            assertThat(found).isEqualTo(Instant.parse(expected));
        }
    }

    @Test
    void aDayThatNeverComesHasNoFireTime() {
        assertThat(Cron.parse("0 0 30 2 *").next(Instant.parse("2026-11-29T00:00:00Z"), ZoneId.of("UTC"))).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = { "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
            "* * * * 8", "*/0 * * * *", "5-1 * * * *", "* * * FOO *", "1-2-3 * * * *" })
    void invalidExpressionsSayWhy(String expression) {
        assertThatThrownBy(() -> Cron.parse(expression)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("Exception");
    }
}
