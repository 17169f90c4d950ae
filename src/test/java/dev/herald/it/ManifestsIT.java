package dev.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/**
 * The Kubernetes manifests in deploy/kubernetes: every overlay renders and validates against the
 * Kubernetes schemas, and what the prod overlay tells Herald (ports, probe paths, environment) is
 * what Herald reads: the packaged jar, started with those settings, answers the probes.
 */
class ManifestsIT {

    private static final Path DEPLOY = Path.of("deploy/kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Z0-9_]+)\\)");

    private static JsonNode deployment;
    private static JsonNode container;
    private static Map<String, String> config;
    private static JsonNode service;

    @BeforeAll
    static void render() throws Exception {
        for (JsonNode object : objects(run(Path.of("."), "kubectl", "kustomize", DEPLOY.resolve("overlays/prod").toString()))) {
            String kind = object.path("kind").asText();
            String name = object.path("metadata").path("name").asText();
            if (kind.equals("Deployment") && name.equals("herald")) {
                deployment = object;
            } else if (kind.equals("ConfigMap") && name.equals("herald-config")) {
                config = new LinkedHashMap<>();
                object.path("data").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            } else if (kind.equals("Service") && name.equals("herald")) {
                service = object;
            }
        }
        assertThat(deployment).as("the herald Deployment").isNotNull();
        assertThat(config).as("the herald-config ConfigMap").isNotNull();
        assertThat(service).as("the herald Service").isNotNull();
        container = deployment.at("/spec/template/spec/containers/0");
    }

    @Test
    void everyOverlayValidatesAgainstTheKubernetesSchemas() throws Exception {
        Path checks = DEPLOY.resolve("test");
        run(checks, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
        String report = run(checks, "node", "validate.mjs");
        assertThat(report).contains("overlays/dev:", "overlays/prod:").containsPattern("manifests: \\d+ objects valid");
    }

    @Test
    void everyVariableTheDeploymentSetsIsOneHeraldReads() throws Exception {
        Set<String> known = new HashSet<>(heraldVariables());
        known.addAll(quarkusRuntimeVariables());
        assertThat(known).contains("HERALD_DELIVERY_SHUTDOWN_GRACE", "QUARKUS_HTTP_PORT", "QUARKUS_MANAGEMENT_PORT");

        Map<String, String> env = containerEnvironment();
        Set<String> referenced = new HashSet<>();
        env.values().forEach(value -> {
            Matcher m = REFERENCE.matcher(value);
            while (m.find()) {
                referenced.add(m.group(1));
            }
        });
        List<String> unknown = new ArrayList<>();
        for (String name : env.keySet()) {
            if (!known.contains(name) && !referenced.contains(name)) {
                unknown.add(name);
            }
        }
        for (String key : secretExampleKeys()) {
            if (!known.contains(key)) {
                unknown.add(key + " (herald-api-keys)");
            }
        }
        assertThat(unknown).as("variables Herald does not read").isEmpty();
        assertThat(referenced).as("helper variables are defined").allMatch(env::containsKey);
    }

    @Test
    void portsAndProbesAgreeWithTheSettings() {
        Map<String, Integer> ports = containerPorts();
        assertThat(ports.get("http")).isEqualTo(Integer.parseInt(config.get("QUARKUS_HTTP_PORT")));
        assertThat(ports.get("management")).isEqualTo(Integer.parseInt(config.get("QUARKUS_MANAGEMENT_PORT")));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.path(probe).path("httpGet").path("port").asText()).as(probe).isEqualTo("management");
        }
        assertThat(ports).containsKey(service.at("/spec/ports/0/targetPort").asText());
        // Kubernetes waits this long before it kills a pod; Herald needs the delay and the grace.
        long grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
        Duration needed = Duration.parse("PT" + config.get("QUARKUS_SHUTDOWN_DELAY"))
                .plus(Duration.parse(config.get("HERALD_DELIVERY_SHUTDOWN_GRACE")));
        assertThat(Duration.ofSeconds(grace)).isGreaterThan(needed);
    }

    @Test
    void thePackagedJarAnswersTheProbesWithTheRenderedSettings() throws Exception {
        Map<String, String> env = new HashMap<>(PackagedApp.keys());
        URI database = URI.create(System.getenv("QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
        Map<String, String> secretValues = Map.of("host", database.getHost(), "port", String.valueOf(
                database.getPort() < 0 ? 5432 : database.getPort()), "dbname", database.getPath().substring(1),
                "username", System.getenv("QUARKUS_DATASOURCE_USERNAME"),
                "password", System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", ""));
        env.putAll(config);
        for (JsonNode variable : container.path("env")) {
            JsonNode key = variable.at("/valueFrom/secretKeyRef/key");
            String value = key.isMissingNode() ? variable.path("value").asText() : secretValues.get(key.asText());
            env.put(variable.path("name").asText(), expand(value, env));
        }
        String management = "http://127.0.0.1:" + containerPorts().get("management");
        String api = "http://127.0.0.1:" + containerPorts().get("http");

        try (PackagedApp app = PackagedApp.start("manifests", env)) {
            app.awaitStatus(management + path("startupProbe"), 200, Duration.ofSeconds(120));
            assertThat(PackagedApp.status(management + path("livenessProbe"))).isEqualTo(200);
            // Ready once warmed up, a moment after it has started.
            app.awaitStatus(management + path("readinessProbe"), 200, Duration.ofSeconds(30));
            assertThat(PackagedApp.status(api + "/api/v1/campaigns")).as("the API needs a key").isEqualTo(401);
            assertThat(PackagedApp.status(api + path("readinessProbe"))).as("no health on the API port").isEqualTo(404);

            // SIGTERM: readiness goes down at once, while the server still answers, then it stops.
            app.terminate();
            app.awaitStatus(management + path("readinessProbe"), 503, Duration.ofSeconds(3));
            assertThat(app.awaitExit(Duration.ofSeconds(
                    deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong()))).isTrue();
            assertThat(app.output()).contains("\"level\":\"INFO\"").doesNotContain(PackagedConfig.ADMIN_KEY)
                    .doesNotContain(secretValues.get("password").isEmpty() ? "\u0000" : "password=" + secretValues.get("password"));
        }
    }

    private static String path(String probe) {
        return container.path(probe).path("httpGet").path("path").asText();
    }

    /** Kubernetes' $(NAME) expansion of earlier variables. */
    private static String expand(String value, Map<String, String> env) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
        }
        return m.appendTail(out).toString();
    }

    private static Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new HashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        return ports;
    }

    /** What the container's environment holds: the ConfigMap's keys, then its own variables. */
    private static Map<String, String> containerEnvironment() {
        Map<String, String> env = new LinkedHashMap<>(config);
        container.path("env").forEach(v -> env.put(v.path("name").asText(), v.path("value").asText("")));
        return env;
    }

    private static Set<String> secretExampleKeys() throws IOException {
        Set<String> keys = new HashSet<>();
        YAML.readTree(DEPLOY.resolve("base/secret.example.yaml").toFile()).path("stringData").fieldNames()
                .forEachRemaining(keys::add);
        return keys;
    }

    /** The variables of Herald's own settings: every {@code @ConfigMapping} interface, group by group. */
    private static Set<String> heraldVariables() throws Exception {
        Set<String> names = new HashSet<>();
        Path classes = Path.of("target/classes");
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, ManifestsIT.class.getClassLoader());
                ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
                if (mapping != null) {
                    collect(type, mapping.prefix(), names);
                }
            }
        }
        return names;
    }

    private static void collect(Class<?> group, String prefix, Set<String> names) {
        for (Method method : group.getMethods()) {
            if (Modifier.isStatic(method.getModifiers()) || method.isDefault() || method.getParameterCount() > 0) {
                continue;
            }
            WithName renamed = method.getAnnotation(WithName.class);
            String property = prefix + "." + (renamed != null ? renamed.value()
                    : method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getName().startsWith("dev.herald.")) {
                collect(type, property, names);
            } else {
                names.add(property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
            }
        }
    }

    /** The variables of every Quarkus setting that is read at run time, from the extensions' own config model. */
    private static Set<String> quarkusRuntimeVariables() throws IOException {
        Set<String> names = new HashSet<>();
        ObjectMapper json = new ObjectMapper();
        Enumeration<URL> models = ManifestsIT.class.getClassLoader()
                .getResources("META-INF/quarkus-config-doc/quarkus-config-model.json");
        while (models.hasMoreElements()) {
            try (InputStream in = models.nextElement().openStream()) {
                collect(json.readTree(in), names);
            }
        }
        return names;
    }

    private static void collect(JsonNode node, Set<String> names) {
        if (node.isObject()) {
            JsonNode variable = node.path("path").path("environmentVariable");
            if (variable.isTextual() && node.path("phase").asText().equals("RUN_TIME")) {
                names.add(variable.asText());
            }
        }
        for (Iterator<JsonNode> children = node.elements(); children.hasNext();) {
            collect(children.next(), names);
        }
    }

    private static List<JsonNode> objects(String yaml) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        YAML.readerFor(JsonNode.class).readValues(yaml).forEachRemaining(o -> objects.add((JsonNode) o));
        return objects;
    }

    /** Runs a command in {@code dir}; its output, or a failure that shows it. */
    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        assertThat(exit).as(String.join(" ", command) + " failed:\n" + output).isZero();
        return output;
    }
}
