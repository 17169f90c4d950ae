package dev.herald.nativeimage;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.ingest;
import static dev.herald.support.Http.newUsers;
import static dev.herald.support.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.herald.platform.Api;
import dev.herald.support.JacksonBeans;
import dev.herald.support.Receiver;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A native image only sees the fields and constructors of classes it was told about. Quarkus
 * registers the classes in REST signatures; every other class Jackson reads or writes (stored
 * JSON, problem documents, payloads) must carry {@code @RegisterForReflection}. This test walks
 * the paths that use stored JSON, then checks every bean class Jackson has built a (de)serializer
 * for, in this test and in any test that ran before it in this JVM.
 */
@QuarkusTest
class ReflectionRegistrationTest {

    static final Receiver receiver = new Receiver();

    @AfterAll
    static void stop() {
        receiver.close();
    }

    @Test
    void everyClassJacksonUsesOutsideRestSignaturesIsRegistered() throws Exception {
        exerciseStoredJson();

        Set<Class<?>> fromRest = restSignatureTypes();
        List<String> missing = JacksonBeans.seen().stream()
                .filter(c -> c.getName().startsWith("dev.herald."))
                .filter(c -> !c.getName().startsWith("dev.herald.support."))
                .filter(c -> !c.isAnnotationPresent(RegisterForReflection.class))
                .filter(c -> !fromRest.contains(c))
                .map(Class::getName)
                .sorted()
                .toList();
        assertThat(missing).as("classes Jackson reads or writes outside REST signatures without "
                + "@RegisterForReflection").isEmpty();
        // The check is only worth something if it saw the stored records.
        assertThat(JacksonBeans.seen()).extracting(Class::getSimpleName)
                .contains("Action", "PlanFields", "RenderedRequest", "RetiredSecret", "Problem");
    }

    /** Campaigns with actions and rotated secrets, a rendered and sent request, an event, a problem. */
    private void exerciseStoredJson() {
        String campaign = campaign("reflection", webhook(receiver.url("/reflection")).withSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").withHeaders(Map.of("X-A", "b"))).start();
        String actionId = admin().get("/api/v1/campaigns/{id}", campaign).then().extract().path("actions[0].id");
        admin().post("/api/v1/campaigns/{id}/actions/{a}/rotate-secret", campaign, actionId).then().statusCode(200);
        List<String> users = newUsers("reflection", 1);
        send(campaign, users);
        receiver.await("/reflection", 1);
        String delivery = admin().get("/api/v1/deliveries?campaignId=" + campaign).then().extract()
                .path("items[0].id");
        org.awaitility.Awaitility.await().until(() -> admin().get("/api/v1/deliveries/{id}", delivery).then()
                .extract().<List<?>> path("attempts").size() == 1);
        ingest().body(Map.of("userId", users.get(0), "event", "reflection_seen", "params", Map.of("a", 1)))
                .post("/api/v1/events").then().statusCode(202);
        admin().get("/api/v1/users/{id}/events", users.get(0)).then().statusCode(200);
        admin().body(Map.of()).post("/api/v1/campaigns").then().statusCode(400);
    }

    /** The classes Quarkus registers for REST: resource method parameters and results, and what they hold. */
    private static Set<Class<?>> restSignatureTypes() throws IOException, URISyntaxException {
        Set<Class<?>> found = new HashSet<>();
        for (Class<?> resource : applicationClasses()) {
            if (!resource.isAnnotationPresent(jakarta.ws.rs.Path.class)) {
                continue;
            }
            for (Method method : resource.getDeclaredMethods()) {
                walk(method.getGenericReturnType(), found);
                for (Type parameter : method.getGenericParameterTypes()) {
                    walk(parameter, found);
                }
            }
        }
        return found;
    }

    private static void walk(Type type, Set<Class<?>> found) {
        if (type instanceof ParameterizedType p) {
            walk(p.getRawType(), found);
            for (Type argument : p.getActualTypeArguments()) {
                walk(argument, found);
            }
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                walk(bound, found);
            }
        } else if (type instanceof Class<?> c && c.getName().startsWith("dev.herald.") && found.add(c)) {
            if (c.isRecord()) {
                for (RecordComponent component : c.getRecordComponents()) {
                    walk(component.getGenericType(), found);
                }
            }
        }
    }

    private static List<Class<?>> applicationClasses() throws IOException, URISyntaxException {
        Path root = Path.of(Api.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().contains("$"))
                    .map(f -> root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .filter(name -> name.startsWith("dev.herald."))
                    .map(ReflectionRegistrationTest::load)
                    .toList();
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
