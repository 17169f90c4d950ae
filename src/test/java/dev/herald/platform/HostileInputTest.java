package dev.herald.platform;

import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.ingest;
import static dev.herald.support.Http.userId;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Bad input is a 4xx that names what to fix, and nothing of it is stored. */
@QuarkusTest
class HostileInputTest {

    @Test
    void aNulCharacterAnywhereIsA400NamingTheField() {
        String user = userId("nul");
        admin().body("{\"attributes\": {\"name\": \"a\\u0000b\"}}").put("/api/v1/users/{id}", user).then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("attributes.name"))
                .body("errors[0].message", containsString("NUL"));
        admin().body("{\"attributes\": {\"na\\u0000me\": 1}}").put("/api/v1/users/{id}", user).then()
                .statusCode(400).body("errors[0].field", containsString("attributes.na"));
        ingest().body("{\"userId\": \"u\\u0000\", \"event\": \"e\"}").post("/api/v1/events").then()
                .statusCode(400).body("errors[0].field", equalTo("userId"));
        ingest().body("{\"userId\": \"" + user + "\", \"event\": \"e\", \"params\": {\"p\": [1, \"\\u0000\"]}}")
                .post("/api/v1/events").then().statusCode(400).body("errors[0].field", equalTo("params.p[1]"));
        // One such event refuses its batch with a 400, not a 5xx a client would retry forever.
        ingest().body("{\"events\": [{\"userId\": \"" + user + "\", \"event\": \"ok\"},"
                + " {\"userId\": \"" + user + "\", \"event\": \"bad\\u0000\"}]}").post("/api/v1/events/batch").then()
                .statusCode(400).body("errors[0].field", equalTo("events[1].event"));
        admin().body("{\"name\": \"n\\u0000\", \"actions\": [{\"url\": \"http://example.com/\"}]}")
                .post("/api/v1/campaigns").then().statusCode(400).body("errors[0].field", equalTo("name"));
        admin().body("{\"name\": \"n\", \"actions\": [{\"url\": \"http://example.com/\","
                + " \"headers\": {\"X-\\u0000\": \"v\"}}]}").post("/api/v1/campaigns").then().statusCode(400);
        admin().urlEncodingEnabled(false).body(Map.of("attributes", Map.of()))
                .put("/api/v1/users/a%00b").then().statusCode(400).body("errors[0].field", equalTo("userId"));
        admin().get("/api/v1/users/{id}", user).then().statusCode(404);
        // In the path or a query parameter of any call, too: reads and erasures included.
        for (String url : List.of("/api/v1/users/a%00b", "/api/v1/users/a%00b/events", "/api/v1/users?q=a%00",
                "/api/v1/deliveries?userId=%00", "/api/v1/campaigns?q=x%00y")) {
            admin().urlEncodingEnabled(false).get(url).then().statusCode(400)
                    .contentType("application/problem+json").body("errors[0].message", containsString("NUL"));
        }
        admin().urlEncodingEnabled(false).delete("/api/v1/users/a%00b").then().statusCode(400);
    }

    @Test
    void aNumberPastADoublesRangeIsRefusedRatherThanStoredAsText() {
        String user = userId("huge");
        admin().body("{\"attributes\": {\"a\": 1e400}}").put("/api/v1/users/{id}", user).then().statusCode(400)
                .body("errors[0].field", equalTo("attributes.a"));
        admin().body("{\"attributes\": {\"a\": 123456789012345678901234567890}}").put("/api/v1/users/{id}", user)
                .then().statusCode(200);
    }

    @Test
    void durationsBeyondWhatADatabaseDateHoldsAreRefused() {
        admin().body(Map.of("name", "long", "actions", List.of(Map.of("url", "http://example.com/",
                "delay", "P99999999999D")))).post("/api/v1/campaigns").then().statusCode(400)
                .body("errors[0].field", equalTo("actions[0].delay"));
        admin().body(Map.of("name", "long", "audience", Map.of("createdWithin", "P99999999D"),
                "actions", List.of(Map.of("url", "http://example.com/")))).post("/api/v1/campaigns").then()
                .statusCode(400).body("errors[0].field", equalTo("audience.createdWithin"));
    }

    @Test
    void templatesThatReachBeyondTheirValuesAreRefusedOnSave() {
        Map<String, Object> loop = Map.of("url", "http://example.com/", "contentType", "text/plain",
                "body", "ok\n{#for i in 10000000}{i}{/for}");
        admin().body(Map.of("name", "loop", "actions", List.of(loop))).post("/api/v1/campaigns").then()
                .statusCode(400).body("errors[0].field", equalTo("actions[0].body"))
                .body("errors[0].message", containsString("line 2"));
        Map<String, Object> namespace = Map.of("url", "http://example.com/{config:quarkus.datasource.password}");
        admin().body(Map.of("name", "namespace", "actions", List.of(namespace))).post("/api/v1/campaigns").then()
                .statusCode(400).body("errors[0].field", equalTo("actions[0].url"))
                .body("errors[0].message", containsString("namespaces"));
        Map<String, Object> inject = Map.of("url", "http://example.com/", "headers", Map.of("X-A", "{inject:bean}"),
                "data", Map.of("a", "{#include other /}"));
        admin().body(Map.of("name", "inject", "actions", List.of(inject))).post("/api/v1/campaigns").then()
                .statusCode(400).body("errors.field", org.hamcrest.Matchers.hasItems("actions[0].headers.X-A",
                        "actions[0].data.a"));
    }

    @Test
    void jsonIsReadStrictly() {
        String user = userId("strict");
        // A number where a string belongs.
        ingest().body("{\"userId\": 42, \"event\": \"e\"}").post("/api/v1/events").then().statusCode(400)
                .body("errors[0].field", equalTo("userId"));
        admin().body("{\"name\": 7, \"actions\": [{\"url\": \"http://example.com/\"}]}").post("/api/v1/campaigns")
                .then().statusCode(400).body("errors[0].field", equalTo("name"));
        // Text after the document.
        admin().body("{\"attributes\": {}} {\"attributes\": {\"x\": 1}}").put("/api/v1/users/{id}", user).then()
                .statusCode(400).contentType("application/problem+json");
        // A truncated document says where it stopped.
        admin().body("{\"attributes\": {\"a\": ").put("/api/v1/users/{id}", user).then().statusCode(400)
                .body("detail", containsString("not valid JSON")).body("detail", containsString("line 1"));
        admin().get("/api/v1/users/{id}", user).then().statusCode(404);
    }

    @ParameterizedTest
    @ValueSource(strings = { "abc", "1.5", "-", "99999999999" })
    void aBadQueryParameterIsA400NamingIt(String limit) {
        admin().get("/api/v1/campaigns?limit=" + limit).then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("limit"));
        admin().get("/api/v1/deliveries?limit=" + limit).then().statusCode(400).body("errors[0].field", equalTo("limit"));
        admin().get("/api/v1/users?limit=" + limit).then().statusCode(400).body("errors[0].field", equalTo("limit"));
    }

    @ParameterizedTest
    @ValueSource(strings = { ".", "..", " lead", "trail ", "tab\tin", "line\nbreak", "del\u007f" })
    void userIdsThatNoPathCouldEraseAreRefused(String id) {
        ingest().contentType(ContentType.JSON).body(Map.of("userId", id, "event", "e")).post("/api/v1/events").then()
                .statusCode(400).body("errors[0].field", equalTo("userId"));
        ingest().body(Map.of("events", List.of(Map.of("userId", id, "event", "e")))).post("/api/v1/events/batch")
                .then().statusCode(400).body("errors[0].field", equalTo("events[0].userId"));
    }

    @Test
    void idsWithSpacesInsideAndDotsAmongOtherCharactersAreFine() {
        for (String id : List.of("a b-" + userId("x"), "..." + userId("x"), "a.b-" + userId("x"))) {
            ingest().body(Map.of("userId", id, "event", "e")).post("/api/v1/events").then().statusCode(202);
            admin().get("/api/v1/users/{id}", id).then().statusCode(200);
            admin().delete("/api/v1/users/{id}", id).then().statusCode(204);
        }
    }
}
