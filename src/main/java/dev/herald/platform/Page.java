package dev.herald.platform;

import java.util.function.Function;
import java.util.UUID;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** One page of a list: {@code {"items": [...], "next": cursor | null}}. */
public record Page<T>(List<T> items, String next) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /** Parses {@code ?limit=}: a whole number from 1 to 500, 50 when absent. */
    public static int limit(String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        int limit;
        try {
            limit = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw ProblemException.invalid("limit", "must be a whole number from 1 to " + MAX_LIMIT + ", not '"
                    + (text.length() > 20 ? text.substring(0, 20) + "…" : text) + "'");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ProblemException.invalid("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    /** Cursors are opaque to clients: the position of the last item, base64url-encoded. */
    public static String cursor(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    /** The id a cursor of an id-ordered list points after, or null for the first page. */
    public static UUID afterId(String cursor) {
        String position = position(cursor);
        if (position == null) {
            return null;
        }
        try {
            return UUID.fromString(position);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid("after", "is not a cursor returned by this list");
        }
    }

    /** Cuts a list fetched with one extra item into a page; the extra item tells that more follow. */
    public static <T> Page<T> of(List<T> fetched, int limit, Function<T, String> position) {
        if (fetched.size() <= limit) {
            return new Page<>(fetched, null);
        }
        List<T> items = fetched.subList(0, limit);
        return new Page<>(List.copyOf(items), cursor(position.apply(items.get(limit - 1))));
    }

    public static String position(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid("after", "is not a cursor returned by this list");
        }
    }
}
