package dev.herald.campaign;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Signing settings ({@code herald.signing.*}). */
@ConfigMapping(prefix = "herald.signing")
public interface SigningConfig {

    /** How long a rotated-out secret keeps signing beside the new one. */
    @WithDefault("P1D")
    Duration rotationOverlap();
}
