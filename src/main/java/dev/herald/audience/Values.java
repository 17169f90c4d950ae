package dev.herald.audience;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How criteria compare JSON values, in Java. {@link SqlCompiler} says the same in SQL; the two
 * must agree, and a property test checks that they do.
 */
final class Values {

    /** The same pattern as {@code herald_instant} in the V2 migration. */
    static final Pattern INSTANT = Pattern.compile("^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
            + "T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$");

    private Values() {
    }

    /** Absent or JSON null. */
    static boolean missing(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode();
    }

    /** The instant a string holds, or null when it is not an ISO-8601 instant with an offset. */
    static Instant instant(String text) {
        if (!INSTANT.matcher(text).matches()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static BigDecimal number(JsonNode value) {
        return new BigDecimal(value.asText());
    }

    /**
     * Compares two values of the same kind: numbers as numbers, two instants as instants, other
     * strings by Unicode code point. Null when they cannot be ordered (other kinds, booleans).
     */
    static Integer order(JsonNode actual, JsonNode expected) {
        if (actual.isNumber() && expected.isNumber()) {
            return Integer.signum(number(actual).compareTo(number(expected)));
        }
        if (actual.isTextual() && expected.isTextual()) {
            Instant a = instant(actual.asText());
            Instant b = instant(expected.asText());
            if (a != null && b != null) {
                return Integer.signum(a.compareTo(b));
            }
            return Integer.signum(compareCodePoints(actual.asText(), expected.asText()));
        }
        return null;
    }

    static boolean equal(JsonNode actual, JsonNode expected) {
        if (missing(actual)) {
            return false;
        }
        if (actual.isBoolean() && expected.isBoolean()) {
            return actual.booleanValue() == expected.booleanValue();
        }
        Integer order = order(actual, expected);
        return order != null && order == 0;
    }

    /** UTF-8 byte order is code point order, as Postgres' COLLATE "C" compares. */
    static int compareCodePoints(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(x[i] & 0xFF, y[i] & 0xFF);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    /** The same as {@code herald_bucket} in the V2 migration. */
    static int bucket(String userId) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(userId.getBytes(StandardCharsets.UTF_8));
            long first32 = ((digest[0] & 0xFFL) << 24) | ((digest[1] & 0xFFL) << 16) | ((digest[2] & 0xFFL) << 8)
                    | (digest[3] & 0xFFL);
            return (int) (first32 % 1000);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }
}
