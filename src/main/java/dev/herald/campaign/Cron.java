package dev.herald.campaign;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * A five-field Unix cron expression (minute hour day-of-month month day-of-week) and its fire
 * times in a time zone. As in Vixie cron, when both day-of-month and day-of-week are restricted,
 * a day matches if either does.
 *
 * <p>Parsing and matching are cron-utils' (Unix definition), which agrees with every case of
 * {@code CronTest} but two, both at daylight-saving changes: it skips a fire time that falls in a
 * gap, and fires twice one that occurs twice. Herald's rule is its own: a fire time that falls in a gap (02:30 on a spring-forward night
 * in Europe/Berlin) fires once, shifted forward by the length of the gap (03:30); one that occurs
 * twice (01:30 on a fall-back night in America/New_York) fires once, at its first occurrence. So
 * cron-utils is asked for local times only (walked in UTC, which has no gaps), and each local
 * time is placed in the zone here.
 */
public final class Cron {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    /** cron-utils opens most messages with this; the field the message is reported against says it already. */
    private static final String NOISE = "Failed to parse cron expression. ";
    /** An overlap can place a local time before the one it follows; a handful of steps gets past it. */
    private static final int MAX_STEPS = 8;

    private final ExecutionTime times;

    private Cron(ExecutionTime times) {
        this.times = times;
    }

    /** Parses an expression; {@link IllegalArgumentException} says what is wrong. */
    public static Cron parse(String expression) {
        try {
            return new Cron(ExecutionTime.forCron(PARSER.parse(expression.trim()).validate()));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? "is not a five-field cron expression" : e.getMessage();
            throw new IllegalArgumentException(message.startsWith(NOISE) ? message.substring(NOISE.length())
                    : message);
        }
    }

    /** The first fire time strictly after {@code after} in {@code zone}, on a whole minute; null if none. */
    public Instant next(Instant after, ZoneId zone) {
        LocalDateTime local = LocalDateTime.ofInstant(after, zone);
        for (int step = 0; step < MAX_STEPS; step++) {
            Optional<ZonedDateTime> following = times.nextExecution(local.atZone(ZoneOffset.UTC));
            if (following.isEmpty()) {
                return null;
            }
            local = following.get().toLocalDateTime();
            // ofLocal: a gap moves later by its length; an overlap takes the earlier offset.
            Instant fire = ZonedDateTime.ofLocal(local, zone, null).toInstant();
            if (fire.isAfter(after)) {
                return fire;
            }
        }
        return null;
    }
}
