package dev.herald.retention;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long history is kept ({@code herald.retention.*}). */
@ConfigMapping(prefix = "herald.retention")
public interface RetentionConfig {

    /** Finished deliveries (and their attempts) are removed this long after they finished. */
    @WithDefault("P30D")
    Duration deliveries();

    /**
     * Events are removed this long after they happened; never sooner than the longest
     * {@code within} a campaign that is not FINISHED counts.
     */
    @WithDefault("P90D")
    Duration events();

    /** How often each instance looks for history to remove. */
    @WithDefault("10m")
    String interval();

    /** Rows removed by one statement; each statement is its own short transaction. */
    @WithDefault("2000")
    int batchSize();

    /** The most rows one pass removes from each table; the next pass goes on. */
    @WithDefault("200000")
    int maxPerPass();
}
