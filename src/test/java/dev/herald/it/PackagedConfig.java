package dev.herald.it;

import java.util.Map;

import dev.herald.support.Management;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Settings for the packaged application under {@code @QuarkusIntegrationTest}: it runs in the
 * prod profile, which has no API keys and refuses loopback destinations. The database comes from
 * the {@code QUARKUS_DATASOURCE_*} variables, which the launched process inherits.
 */
public class PackagedConfig implements QuarkusTestResourceLifecycleManager {

    static final String ADMIN_KEY = "it-admin-key";
    static final String INGEST_KEY = "it-ingest-key";

    @Override
    public Map<String, String> start() {
        return Map.of(
                "herald.auth.admin-keys", ADMIN_KEY,
                "herald.auth.ingest-keys", INGEST_KEY,
                "herald.delivery.allowed-networks", "127.0.0.0/8",
                "quarkus.shutdown.delay", "0S",
                // The launcher moves the API to its test port, not the management interface.
                "quarkus.management.port", String.valueOf(Management.PORT));
    }

    @Override
    public void stop() {
    }
}
