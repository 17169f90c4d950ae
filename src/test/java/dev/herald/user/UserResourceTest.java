package dev.herald.user;

import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.userId;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** Users and their attributes (contract section 3). */
@QuarkusTest
class UserResourceTest {

    @Test
    void putReplacesAndPatchMerges() {
        String id = userId("u");
        admin().body(Map.of("attributes", Map.of("plan", "free", "country", "DE"))).put("/api/v1/users/{id}", id)
                .then().statusCode(200).body("id", equalTo(id)).body("attributes.plan", equalTo("free"));
        admin().body(Map.of("attributes", Map.of("plan", "pro"))).put("/api/v1/users/{id}", id).then()
                .statusCode(200).body("attributes", not(hasKey("country")));

        Map<String, Object> patch = new HashMap<>();
        patch.put("plan", null);
        patch.put("score", 12.5);
        patch.put("tags", java.util.List.of("a", "b"));
        admin().body(Map.of("attributes", patch)).patch("/api/v1/users/{id}", id).then().statusCode(200)
                .body("attributes", not(hasKey("plan"))).body("attributes.score", equalTo(12.5f))
                .body("attributes.tags[1]", equalTo("b"));
        admin().get("/api/v1/users/{id}", id).then().statusCode(200).body("attributes.score", equalTo(12.5f));
    }

    @Test
    void patchCreatesAMissingUser() {
        String id = userId("patched");
        admin().body(Map.of("attributes", Map.of("a", 1))).patch("/api/v1/users/{id}", id).then().statusCode(200)
                .body("attributes.a", equalTo(1));
    }

    @Test
    void limitsAreEnforcedAndNothingIsStored() {
        String id = userId("limits");
        Map<String, Object> many = new LinkedHashMap<>();
        for (int i = 0; i < 257; i++) {
            many.put("a" + i, i);
        }
        admin().body(Map.of("attributes", many)).put("/api/v1/users/{id}", id).then().statusCode(400)
                .body("errors[0].field", equalTo("attributes"));
        admin().body(Map.of("attributes", Map.of("big", "x".repeat(70_000)))).put("/api/v1/users/{id}", id).then()
                .statusCode(400).body("errors[0].field", equalTo("attributes"));
        admin().body(Map.of("attributes", Map.of("n".repeat(129), 1))).put("/api/v1/users/{id}", id).then()
                .statusCode(400);
        admin().body(Map.of("attributes", "nope")).put("/api/v1/users/{id}", id).then().statusCode(400)
                .body("errors[0].field", equalTo("attributes"));
        admin().get("/api/v1/users/{id}", id).then().statusCode(404);

        admin().body(Map.of("attributes", Map.of("x", 1))).put("/api/v1/users/{id}", "u".repeat(129)).then()
                .statusCode(400).body("errors[0].field", equalTo("userId"));

        admin().body(Map.of("attributes", Map.of("ok", 1))).put("/api/v1/users/{id}", id).then().statusCode(200);
        admin().body(Map.of("attributes", many)).patch("/api/v1/users/{id}", id).then().statusCode(400);
        admin().get("/api/v1/users/{id}", id).then().body("attributes.size()", equalTo(1));
    }

    @Test
    void deleteErasesTheUser() {
        String id = userId("gone");
        admin().body(Map.of("attributes", Map.of())).put("/api/v1/users/{id}", id).then().statusCode(200);
        admin().delete("/api/v1/users/{id}", id).then().statusCode(204);
        admin().get("/api/v1/users/{id}", id).then().statusCode(404).contentType("application/problem+json");
        admin().delete("/api/v1/users/{id}", id).then().statusCode(404);
    }

    @Test
    void listFindsUsersByPartOfTheirId() {
        String tag = "find-" + java.util.UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            admin().body(Map.of("attributes", Map.of("i", i))).put("/api/v1/users/{id}", tag + "-" + i).then()
                    .statusCode(200);
        }
        String next = admin().get("/api/v1/users?q=" + tag + "&limit=2").then().statusCode(200)
                .body("items.size()", equalTo(2)).extract().path("next");
        admin().get("/api/v1/users?q=" + tag + "&limit=2&after=" + next).then().body("items.size()", equalTo(1))
                .body("next", equalTo(null));
    }
}
