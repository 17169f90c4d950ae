package dev.herald.platform;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** API keys (contract section 1). Admin keys are required: the prod profile has no default. */
@ConfigMapping(prefix = "herald.auth")
public interface AuthConfig {

    /** Keys that may call every endpoint. */
    List<String> adminKeys();

    /** Keys that may only send events and users. */
    Optional<List<String>> ingestKeys();
}
