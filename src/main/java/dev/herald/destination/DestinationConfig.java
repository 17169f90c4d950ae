package dev.herald.destination;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Where webhooks may go ({@code herald.delivery.allowed-networks}, beside the engine's other settings). */
@ConfigMapping(prefix = "herald.delivery")
public interface DestinationConfig {

    /**
     * Networks (CIDR) that webhooks may reach although they are private, loopback or link-local.
     * Dev and test allow loopback.
     */
    Optional<List<String>> allowedNetworks();
}
