package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** Timestamps handed to Postgres are the instants they stand for, at UTC. */
class SqlTest {

    @Test
    void instantsAtUtcAsTheJdkGivesThem() {
        for (Instant instant : new Instant[] { Instant.EPOCH, Instant.parse("2026-12-07T17:30:00.123456789Z"),
                Instant.parse("1969-12-31T23:59:59.999Z"), Instant.parse("0001-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999Z"), Instant.ofEpochSecond(-1, 1) }) {
            assertThat(Sql.ts(instant)).as("%s", instant).isEqualTo(instant.atOffset(ZoneOffset.UTC));
            assertThat(Sql.ts(instant).toInstant()).isEqualTo(instant);
        }
        assertThat(Sql.ts(null)).isNull();
    }
}
