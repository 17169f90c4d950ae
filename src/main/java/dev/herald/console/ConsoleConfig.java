package dev.herald.console;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the web console ({@code herald.console.*}). */
@ConfigMapping(prefix = "herald.console")
public interface ConsoleConfig {

    /**
     * Signs session cookies: at least 32 characters, the same on every instance. Unset, each
     * start draws a random one, so sessions end at a restart and hold on one instance only.
     */
    Optional<String> sessionSecret();

    /** How long a sign-in lasts. */
    @WithDefault("PT8H")
    Duration sessionTtl();
}
