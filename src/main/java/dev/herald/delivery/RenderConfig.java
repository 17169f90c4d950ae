package dev.herald.delivery;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Bounds of a rendered request ({@code herald.render.*}); a render past one is {@code RENDER_ERROR}. */
@ConfigMapping(prefix = "herald.render")
public interface RenderConfig {

    /** The longest rendered URL, in bytes. */
    @WithDefault("8K")
    MemorySize maxUrl();

    /** The longest rendered header value, in bytes. */
    @WithDefault("8K")
    MemorySize maxHeader();

    /** The largest rendered body, in bytes. */
    @WithDefault("1M")
    MemorySize maxBody();
}
