package dev.herald.schedule;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Checks five-field Unix cron expressions: minute hour day-of-month month day-of-week. */
public final class CronSyntax {

    private record Field(String name, int min, int max, List<String> names) {
    }

    private static final List<Field> FIELDS = List.of(
            new Field("minute", 0, 59, List.of()),
            new Field("hour", 0, 23, List.of()),
            new Field("day of month", 1, 31, List.of()),
            new Field("month", 1, 12, List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                    "NOV", "DEC")),
            new Field("day of week", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")));

    private CronSyntax() {
    }

    /** What is wrong with the expression, or empty when it is valid. */
    public static Optional<String> problem(String expression) {
        String[] parts = expression.trim().split("\\s+");
        if (parts.length != 5) {
            return Optional.of("must have five fields (minute hour day-of-month month day-of-week), found "
                    + parts.length);
        }
        for (int i = 0; i < 5; i++) {
            Optional<String> problem = checkField(parts[i], FIELDS.get(i));
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> checkField(String text, Field field) {
        for (String item : text.split(",", -1)) {
            String range = item;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                Integer step = number(item.substring(slash + 1));
                if (step == null || step < 1) {
                    return Optional.of(field.name() + ": step in '" + item + "' must be a positive number");
                }
            }
            if (range.equals("*")) {
                continue;
            }
            String[] bounds = range.split("-", -1);
            if (bounds.length > 2) {
                return Optional.of(field.name() + ": '" + item + "' is not a value, range or list");
            }
            Integer low = value(bounds[0], field);
            Integer high = bounds.length == 2 ? value(bounds[1], field) : low;
            if (low == null || high == null) {
                return Optional.of(field.name() + ": '" + item + "' must be within " + field.min() + "-" + field.max()
                        + (field.names().isEmpty() ? "" : " or a name such as " + field.names().get(0)));
            }
            if (low > high) {
                return Optional.of(field.name() + ": range '" + item + "' runs backwards");
            }
        }
        return Optional.empty();
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
