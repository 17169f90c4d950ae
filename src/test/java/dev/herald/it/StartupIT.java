package dev.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The packaged jar against the database as a cluster sees it: several replicas starting at once
 * on an empty database (Flyway's lock lets one migrate while the others wait), and a database
 * that goes away and comes back (readiness follows it).
 */
class StartupIT {

    private static final String JDBC_URL = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
    private static final String USER = System.getenv("QUARKUS_DATASOURCE_USERNAME");
    private static final String PASSWORD = System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", "");

    @Test
    void twoInstancesStartedAtOnceOnAnEmptyDatabaseBothBecomeReady() throws Exception {
        String database = "herald_it_" + System.nanoTime();
        PackagedConfig.execute("CREATE DATABASE " + database);
        String address = PackagedConfig.address(database);
        try {
            int managementA = PackagedApp.freePort();
            int managementB = PackagedApp.freePort();
            try (PackagedApp a = PackagedApp.start("startup-a", instance(address, managementA));
                    PackagedApp b = PackagedApp.start("startup-b", instance(address, managementB))) {
                a.awaitStatus("http://127.0.0.1:" + managementA + "/q/health/ready", 200, Duration.ofSeconds(120));
                b.awaitStatus("http://127.0.0.1:" + managementB + "/q/health/ready", 200, Duration.ofSeconds(120));
            }
            long migrations;
            try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
                migrations = files.filter(f -> f.toString().endsWith(".sql")).count();
            }
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + address, USER, PASSWORD);
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT version), bool_and(success)"
                            + " FROM flyway_schema_history WHERE version IS NOT NULL")) {
                r.next();
                assertThat(r.getLong(1)).as("each migration applied once").isEqualTo(migrations);
                assertThat(r.getLong(2)).isEqualTo(migrations);
                assertThat(r.getBoolean(3)).isTrue();
            }
        } finally {
            PackagedConfig.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    void whileTheDatabaseIsAwayReadinessIsDownAndTheApiAnswers503() throws Exception {
        URI server = URI.create(JDBC_URL.substring("jdbc:".length()));
        try (TcpProxy proxy = new TcpProxy(server.getHost(), server.getPort() < 0 ? 5432 : server.getPort())) {
            int management = PackagedApp.freePort();
            int http = PackagedApp.freePort();
            String ready = "http://127.0.0.1:" + management + "/q/health/ready";
            String live = "http://127.0.0.1:" + management + "/q/health/live";
            String api = "http://127.0.0.1:" + http + "/api/v1";
            String event = "{\"userId\": \"away-" + System.nanoTime() + "\", \"event\": \"seen\"}";
            try (PackagedApp app = PackagedApp.start("database-away",
                    instance("127.0.0.1:" + proxy.port() + server.getPath(), management, http))) {
                app.awaitStatus(ready, 200, Duration.ofSeconds(120));

                proxy.cut();
                app.awaitStatus(ready, 503, Duration.ofSeconds(30));
                assertThat(PackagedApp.status(live)).as("alive: a restart would not bring the database back")
                        .isEqualTo(200);
                for (int i = 0; i < 5; i++) {
                    HttpResponse<String> single = PackagedApp.call("POST", api + "/events", PackagedConfig.INGEST_KEY,
                            event);
                    assertThat(single.statusCode()).isEqualTo(503);
                    assertThat(single.headers().firstValue("Retry-After")).contains("5");
                    assertThat(single.headers().firstValue("Content-Type")).get().asString()
                            .startsWith("application/problem+json");
                    assertThat(single.body()).contains("database-unavailable", "Retrying the same request is safe");
                }
                assertThat(PackagedApp.call("POST", api + "/events/batch", PackagedConfig.INGEST_KEY,
                        "{\"events\": [" + event + "]}").statusCode()).isEqualTo(503);
                assertThat(PackagedApp.call("GET", api + "/campaigns", PackagedConfig.ADMIN_KEY, null).statusCode())
                        .isEqualTo(503);

                proxy.restore();
                app.awaitStatus(ready, 200, Duration.ofSeconds(60));
                assertThat(PackagedApp.call("POST", api + "/events", PackagedConfig.INGEST_KEY, event).statusCode())
                        .isEqualTo(202);
            }
            String log = output("database-away");
            assertThat(log).doesNotContain("Unexpected error");
            assertThat(log.split("The database cannot be reached", -1).length - 1).as("logged once per outage")
                    .isLessThanOrEqualTo(1);
        }
    }

    private static String output(String name) throws Exception {
        return Files.readString(Path.of("target/it-" + name + ".log"));
    }

    /** One instance on its own ports, against {@code host:port/database}. */
    private static Map<String, String> instance(String address, int managementPort) throws Exception {
        return instance(address, managementPort, PackagedApp.freePort());
    }

    private static Map<String, String> instance(String address, int managementPort, int httpPort) {
        Map<String, String> env = PackagedApp.keys();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://" + address);
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://" + address);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("QUARKUS_SHUTDOWN_DELAY", "0S");
        return env;
    }
}
