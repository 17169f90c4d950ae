package dev.herald.event;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of event ingestion ({@code herald.events.*}). */
@ConfigMapping(prefix = "herald.events")
public interface EventConfig {

    /**
     * Events this instance has taken in (single ones and those of batches) and not yet answered;
     * past it, more are refused with 429 until the database catches up.
     */
    @WithDefault("50000")
    int backlog();
}
