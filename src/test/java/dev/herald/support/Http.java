package dev.herald.support;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Requests to Herald's API with the test keys, and builders for common bodies. */
public final class Http {

    public static final String ADMIN_KEY = "test-admin-key";
    public static final String INGEST_KEY = "test-ingest-key";

    private Http() {
    }

    public static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN_KEY).contentType(ContentType.JSON);
    }

    public static RequestSpecification ingest() {
        return given().header("Authorization", "Bearer " + INGEST_KEY).contentType(ContentType.JSON);
    }

    /** A unique user id, so tests never see each other's users. */
    public static String userId(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    /** Creates {@code count} users without attributes, with unique ids, and returns the ids. */
    public static List<String> newUsers(String prefix, int count) {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = userId(prefix);
            putUser(id, Map.of());
            ids.add(id);
        }
        return ids;
    }

    public static void putUser(String id, Map<String, Object> attributes) {
        admin().body(Map.of("attributes", attributes)).put("/api/v1/users/{id}", id).then().statusCode(200);
    }


    public static String send(String campaignId, List<String> userIds) {
        return admin().body(Map.of("userIds", userIds)).post("/api/v1/campaigns/{id}/send", campaignId).then()
                .statusCode(202).extract().path("runId");
    }
}
