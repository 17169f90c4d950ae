package dev.herald.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.herald.support.Http;
import dev.herald.support.Management;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Admin and ingest keys (contract section 1). */
@QuarkusTest
class ApiKeyTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL root;

    @Test
    void noKeyOrUnknownKeyIs401() {
        given().get("/api/v1/campaigns").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer").body("status", equalTo(401));
        given().header("Authorization", "Bearer nope").get("/api/v1/campaigns").then().statusCode(401);
        given().header("Authorization", "Basic dXNlcjpwYXNz").get("/api/v1/campaigns").then().statusCode(401);
    }

    /**
     * The router matches a resource by the path with dot segments and empty segments removed and
     * unreserved characters decoded; keys are checked on that same path. Sent with the JDK's
     * client, which sends the path as written.
     */
    @Test
    void aPathWrittenAnotherWayNeedsTheSameKey() throws Exception {
        for (String path : List.of("/./api/v1/campaigns", "//api/v1/campaigns", "/%61pi/v1/campaigns",
                "/x/../api/v1/campaigns", "/api/v1/./campaigns")) {
            assertThat(send(path, null, null)).as(path).isEqualTo(401);
            assertThat(send(path, Http.INGEST_KEY, null)).as(path).isEqualTo(403);
            assertThat(send(path, Http.ADMIN_KEY, null)).as(path).isEqualTo(200);
        }
        String event = "{\"userId\": \"" + Http.userId("variant") + "\", \"event\": \"signup\"}";
        assertThat(send("/./api/v1/%65vents", Http.INGEST_KEY, event)).isEqualTo(202);
        assertThat(send("/api/v1/events/", Http.INGEST_KEY, event)).isEqualTo(202);
        assertThat(send("/x/../api/v1/events", null, event)).isEqualTo(401);
    }

    private int send(String path, String key, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + root.getAuthority() + path));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (json != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void everyAdminKeyWorksSoKeysCanRotate() {
        given().header("Authorization", "Bearer test-admin-key").get("/api/v1/campaigns").then().statusCode(200);
        given().header("Authorization", "Bearer test-admin-key-2").get("/api/v1/campaigns").then().statusCode(200);
    }

    @Test
    void ingestKeyMayOnlyWriteUsersAndEvents() {
        String user = Http.userId("ingest");
        Http.ingest().body(Map.of("attributes", Map.of("a", 1))).put("/api/v1/users/{id}", user).then()
                .statusCode(200);
        Http.ingest().body(Map.of("attributes", Map.of("b", 2))).patch("/api/v1/users/{id}", user).then()
                .statusCode(200);
        Http.ingest().body(Map.of("attributes", Map.of("c", 3))).urlEncodingEnabled(false)
                .put("/api/v1/users/a%2Fb-" + user).then().statusCode(200).body("id", org.hamcrest.Matchers.startsWith("a/b-"));
        Http.ingest().get("/api/v1/users/{id}", user).then().statusCode(403).contentType("application/problem+json");
        Http.ingest().delete("/api/v1/users/{id}", user).then().statusCode(403);
        Http.ingest().get("/api/v1/campaigns").then().statusCode(403);
        Http.ingest().body(Map.of()).post("/api/v1/campaigns").then().statusCode(403);
        Http.ingest().get("/api/v1/deliveries").then().statusCode(403);
    }

    @Test
    void healthNeedsNoKey() {
        given().port(Management.PORT).get("/q/health/ready").then().statusCode(200);
        given().port(Management.PORT).get("/q/health/live").then().statusCode(200);
    }

    @Test
    void oversizedBodyIs413WithAProblem() {
        Http.admin().body("{\"name\": \"" + "x".repeat(1_100_000) + "\"}").post("/api/v1/campaigns").then()
                .statusCode(413).contentType("application/problem+json").body("status", equalTo(413));
    }

    @Test
    void errorsNeverLeakInternals() {
        Http.admin().contentType(ContentType.JSON).body("[1,2]").post("/api/v1/campaigns").then().statusCode(400)
                .contentType("application/problem+json");
    }
}
