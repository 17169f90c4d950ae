package dev.herald.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.herald.support.MovableClock;

/** Session cookies: signed, expiring, each with its own token; a short secret is refused at start. */
class ConsoleSessionsTest {

    private static ConsoleConfig config(String secret) {
        return new ConsoleConfig() {
            @Override
            public Optional<String> sessionSecret() {
                return Optional.ofNullable(secret);
            }

            @Override
            public Duration sessionTtl() {
                return Duration.ofHours(8);
            }
        };
    }

    @Test
    void aSessionHoldsUntilItExpiresAndCannotBeAltered() {
        MovableClock clock = new MovableClock();
        ConsoleSessions sessions = new ConsoleSessions(config("a-console-secret-of-at-least-32-chars"), clock);
        String cookie = sessions.issue();

        ConsoleSessions.Session session = sessions.verify(cookie);
        assertThat(session).isNotNull();
        assertThat(session.expires()).isBetween(clock.instant().plus(Duration.ofHours(8)).minusSeconds(2),
                clock.instant().plus(Duration.ofHours(8)));
        assertThat(sessions.verify(sessions.issue()).csrf()).isNotEqualTo(session.csrf());

        String[] parts = cookie.split("\\.");
        assertThat(sessions.verify((Long.parseLong(parts[0]) + 3600) + "." + parts[1] + "." + parts[2])).isNull();
        assertThat(sessions.verify(parts[0] + "." + parts[1] + "." + parts[2].substring(1) + "A")).isNull();
        assertThat(sessions.verify("garbage")).isNull();
        assertThat(new ConsoleSessions(config("another-console-secret-of-32-chars!!"), clock).verify(cookie)).isNull();

        clock.advance(Duration.ofHours(8));
        assertThat(sessions.verify(cookie)).isNull();
    }

    @Test
    void aShortSecretIsRefused() {
        MovableClock clock = new MovableClock();
        assertThatThrownBy(() -> new ConsoleSessions(config("short"), clock))
                .hasMessageContaining("at least 32 characters");
        assertThat(new ConsoleSessions(config(null), clock).verify(new ConsoleSessions(config(null), clock).issue()))
                .as("random secrets differ from start to start").isNull();
    }
}
