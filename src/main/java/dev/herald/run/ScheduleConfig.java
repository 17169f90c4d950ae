package dev.herald.run;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of scheduled campaigns ({@code herald.schedule.*}). */
@ConfigMapping(prefix = "herald.schedule")
public interface ScheduleConfig {

    /** A fire time missed by more than this (Herald down, campaign paused) is recorded as skipped, not run. */
    @WithDefault("PT1H")
    Duration misfireGrace();

    /** How often due fire times are looked for (and runs left half written are taken up again). */
    @WithDefault("5s")
    String pollInterval();

    /** Users a run writes per transaction: sending starts after the first chunk commits. */
    @WithDefault("50000")
    int chunkSize();
}
