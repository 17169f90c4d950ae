package dev.herald.campaign;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A five-field Unix cron expression (minute hour day-of-month month day-of-week) and its fire
 * times in a time zone. As in Vixie cron, when both day-of-month and day-of-week are restricted,
 * a day matches if either does.
 *
 * <p>Daylight-saving changes: a fire time that falls in a gap (02:30 on a spring-forward night in
 * Europe/Berlin) fires once, shifted forward by the length of the gap (03:30); a fire time that
 * occurs twice (01:30 on a fall-back night in America/New_York) fires once, at its first
 * occurrence.
 */
public final class Cron {

    private record Field(String name, int min, int max, List<String> names) {
    }

    private static final Field MINUTE = new Field("minute", 0, 59, List.of());
    private static final Field HOUR = new Field("hour", 0, 23, List.of());
    private static final Field DAY_OF_MONTH = new Field("day of month", 1, 31, List.of());
    private static final Field MONTH = new Field("month", 1, 12, List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN",
            "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"));
    private static final Field DAY_OF_WEEK = new Field("day of week", 0, 7,
            List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"));
    /** How far ahead a next fire time is looked for (leap-day schedules fire at least every 8 years). */
    private static final int MAX_YEARS = 9;

    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private Cron(BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months, BitSet daysOfWeek,
            boolean domRestricted, boolean dowRestricted) {
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.domRestricted = domRestricted;
        this.dowRestricted = dowRestricted;
    }

    /** Parses an expression; {@link IllegalArgumentException} says what is wrong. */
    public static Cron parse(String expression) {
        String[] parts = expression.trim().split("\\s+");
        if (parts.length != 5) {
            throw new IllegalArgumentException(
                    "must have five fields (minute hour day-of-month month day-of-week), found " + parts.length);
        }
        BitSet dow = field(parts[4], DAY_OF_WEEK);
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        return new Cron(field(parts[0], MINUTE), field(parts[1], HOUR), field(parts[2], DAY_OF_MONTH),
                field(parts[3], MONTH), dow, !parts[2].startsWith("*"), !parts[4].startsWith("*"));
    }

    /** The first fire time strictly after {@code after}, in {@code zone}; null when there is none. */
    public Instant next(Instant after, ZoneId zone) {
        LocalDateTime start = LocalDateTime.ofInstant(after, zone).withSecond(0).withNano(0);
        LocalDate day = start.toLocalDate();
        LocalDate last = day.plusYears(MAX_YEARS);
        for (; !day.isAfter(last); day = day.plusDays(1)) {
            if (!months.get(day.getMonthValue())) {
                day = day.withDayOfMonth(day.lengthOfMonth());
                continue;
            }
            if (!dayMatches(day)) {
                continue;
            }
            for (int hour = hours.nextSetBit(0); hour >= 0; hour = hours.nextSetBit(hour + 1)) {
                for (int minute = minutes.nextSetBit(0); minute >= 0; minute = minutes.nextSetBit(minute + 1)) {
                    LocalDateTime local = LocalDateTime.of(day, LocalTime.of(hour, minute));
                    if (local.isBefore(start)) {
                        continue;
                    }
                    // ofLocal: a gap moves later by its length; an overlap takes the earlier offset.
                    Instant fire = ZonedDateTime.ofLocal(local, zone, null).toInstant();
                    if (fire.isAfter(after)) {
                        return fire;
                    }
                }
            }
        }
        return null;
    }

    private boolean dayMatches(LocalDate day) {
        boolean dom = daysOfMonth.get(day.getDayOfMonth());
        boolean dow = daysOfWeek.get(day.getDayOfWeek().getValue() % 7);
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    private static BitSet field(String text, Field field) {
        BitSet bits = new BitSet(field.max() + 1);
        for (String item : text.split(",", -1)) {
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                Integer parsed = number(item.substring(slash + 1));
                if (parsed == null || parsed < 1) {
                    throw new IllegalArgumentException(field.name() + ": step in '" + item + "' must be a positive number");
                }
                step = parsed;
            }
            int low;
            int high;
            if (range.equals("*")) {
                low = field.min();
                high = field.max() == 7 ? 6 : field.max();
            } else {
                String[] bounds = range.split("-", -1);
                if (bounds.length > 2) {
                    throw new IllegalArgumentException(field.name() + ": '" + item + "' is not a value, range or list");
                }
                Integer from = value(bounds[0], field);
                Integer to = bounds.length == 2 ? value(bounds[1], field) : from;
                if (from == null || to == null) {
                    throw new IllegalArgumentException(field.name() + ": '" + item + "' must be within " + field.min()
                            + "-" + field.max() + (field.names().isEmpty() ? "" : " or a name such as "
                                    + field.names().get(0)));
                }
                if (from > to) {
                    throw new IllegalArgumentException(field.name() + ": range '" + item + "' runs backwards");
                }
                low = from;
                high = slash >= 0 && bounds.length == 1 ? (field.max() == 7 ? 6 : field.max()) : to;
            }
            for (int v = low; v <= high; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static Integer value(String text, Field field) {
        int index = field.names().indexOf(text.toUpperCase(Locale.ROOT));
        if (index >= 0) {
            return index + (field.min() == 1 ? 1 : 0);
        }
        Integer number = number(text);
        return number != null && number >= field.min() && number <= field.max() ? number : null;
    }

    private static Integer number(String text) {
        if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Integer.parseInt(text);
    }
}
