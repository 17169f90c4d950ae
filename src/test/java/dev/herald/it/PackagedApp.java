package dev.herald.it;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * The packaged application started as its own process, in the prod profile: the native
 * executable where {@code -Dnative} built one, else the jar ({@code target/quarkus-app/quarkus-run.jar}), with the environment a test gives it on top of the test's own (which holds
 * the {@code QUARKUS_DATASOURCE_*} variables). Its output goes to {@code target/it-NAME.log}.
 */
final class PackagedApp implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;

    private PackagedApp(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static PackagedApp start(String name, Map<String, String> environment) throws IOException {
        Path log = Path.of("target/it-" + name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new PackagedApp(builder.start(), log);
    }

    private static List<String> command() {
        String nativeImage = System.getProperty("native.image.path");
        if (nativeImage != null && Files.isExecutable(Path.of(nativeImage))) {
            return List.of(nativeImage);
        }
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: integration tests run after the package phase");
        }
        return List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString());
    }

    /** The environment every packaged start needs beside what a test sets: API keys. */
    static Map<String, String> keys() {
        Map<String, String> env = new HashMap<>();
        env.put("HERALD_AUTH_ADMIN_KEYS", PackagedConfig.ADMIN_KEY);
        env.put("HERALD_AUTH_INGEST_KEYS", PackagedConfig.INGEST_KEY);
        return env;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The status of a GET, or -1 when nothing answers. */
    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (ConnectException e) {
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A request with an API key, and its answer. */
    static HttpResponse<String> call(String method, String url, String key, String json) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json");
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    void awaitStatus(String url, int expected, Duration within) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(100))
                .failFast("the process ended; its output is in " + log, () -> !process.isAlive())
                .until(() -> status(url) == expected);
    }

    /** SIGTERM, as Kubernetes sends it. */
    void terminate() {
        process.destroy();
    }

    boolean alive() {
        return process.isAlive();
    }

    boolean awaitExit(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
