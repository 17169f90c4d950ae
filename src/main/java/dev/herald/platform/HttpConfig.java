package dev.herald.platform;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the HTTP API ({@code herald.http.*}). */
@ConfigMapping(prefix = "herald.http")
public interface HttpConfig {

    /** The largest request body the API reads; larger ones are refused with 413. */
    @WithDefault("1M")
    MemorySize maxBody();
}
