package dev.herald.user;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits on what a user may hold ({@code herald.users.*}). */
@ConfigMapping(prefix = "herald.users")
public interface UserConfig {

    /** Attributes one user may have. */
    @WithDefault("256")
    int maxAttributes();

    /** Size of one user's attributes as JSON, in bytes. */
    @WithDefault("65536")
    int maxAttributesBytes();

    /** Length of an attribute name. */
    @WithDefault("128")
    int maxNameLength();
}
