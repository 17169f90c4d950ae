package dev.herald.platform;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import io.vertx.mutiny.sqlclient.Row;

/** Conversions between Java time and Postgres timestamptz for the reactive SQL client. */
public final class Sql {

    private Sql() {
    }

    /**
     * The instant at UTC, as {@code instant.atOffset(ZoneOffset.UTC)} gives it but without
     * asking the offset for its rules, which Java 17 builds anew at each call: every outcome
     * recorded converts several times, and those rules were 1% of a dispatch's samples.
     */
    public static OffsetDateTime ts(Instant instant) {
        return instant == null ? null
                : OffsetDateTime.of(LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(),
                        ZoneOffset.UTC), ZoneOffset.UTC);
    }

    public static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    /** Postgres keeps microseconds; times are cut to milliseconds so what is read equals what was written. */
    public static Instant millis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }
}
