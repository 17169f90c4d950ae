package dev.herald.it;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import dev.herald.support.Management;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Settings for the packaged application under {@code @QuarkusIntegrationTest}: it runs in the
 * prod profile, which has no API keys and refuses loopback destinations, against a database of
 * its own (created on the server the {@code QUARKUS_DATASOURCE_*} variables name, dropped after),
 * so that what the other tests left due does not stand in its dispatcher's way.
 */
public class PackagedConfig implements QuarkusTestResourceLifecycleManager {

    static final String ADMIN_KEY = "it-admin-key";
    static final String INGEST_KEY = "it-ingest-key";

    private String database;

    @Override
    public Map<String, String> start() {
        database = "herald_it_packaged_" + System.nanoTime();
        execute("CREATE DATABASE " + database);
        String address = address(database);
        return Map.of(
                "herald.auth.admin-keys", ADMIN_KEY,
                "herald.auth.ingest-keys", INGEST_KEY,
                "herald.delivery.allowed-networks", "127.0.0.0/8",
                "quarkus.shutdown.delay", "0S",
                // The launcher moves the API to its test port, not the management interface.
                "quarkus.management.port", String.valueOf(Management.PORT),
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + address,
                "quarkus.datasource.reactive.url", "postgresql://" + address);
    }

    @Override
    public void stop() {
        if (database != null) {
            execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /** {@code host:port/name} of a database on the server the test environment names. */
    static String address(String name) {
        URI server = URI.create(System.getenv("QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
        return server.getHost() + ":" + (server.getPort() < 0 ? 5432 : server.getPort()) + "/" + name;
    }

    /** Runs a statement on the test environment's database (as its user). */
    static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(System.getenv("QUARKUS_DATASOURCE_JDBC_URL"),
                System.getenv("QUARKUS_DATASOURCE_USERNAME"),
                System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", ""));
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot run " + sql + ": " + e.getMessage(), e);
        }
    }
}
