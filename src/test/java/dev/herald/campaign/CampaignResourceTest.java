package dev.herald.campaign;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Campaign definitions and their lifecycle through the API. */
@QuarkusTest
class CampaignResourceTest {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static Map<String, Object> action(String url) {
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("url", url);
        return action;
    }

    @Test
    void createFillsDefaultsAndShowsTheSecretOnce() {
        Map<String, Object> a = action("https://crm-user:s3cret@crm.example.com/hooks/{user.id}");
        a.put("signingSecret", SECRET);
        JsonPath created = admin().body(Map.of("name", "Defaults", "actions", List.of(a)))
                .post("/api/v1/campaigns").then().statusCode(201).extract().jsonPath();
        String id = created.getString("id");
        admin().get("/api/v1/campaigns/{id}", id).then().statusCode(200);
        assertThat(UUID.fromString(id).version()).isEqualTo(7);
        assertThat(created.getString("status")).isEqualTo("DRAFT");
        assertThat(created.getString("delivery.type")).isEqualTo("MANUAL");
        assertThat(created.getString("actions[0].type")).isEqualTo("WEBHOOK");
        assertThat(created.getString("actions[0].method")).isEqualTo("POST");
        assertThat(created.getString("actions[0].contentType")).isEqualTo("application/json");
        assertThat(created.getString("actions[0].timeout")).isEqualTo("PT15S");
        assertThat(created.getString("actions[0].delay")).isEqualTo("PT0S");
        assertThat(created.getString("actions[0].signingSecret")).isEqualTo(SECRET);
        assertThat(created.getString("actions[0].url")).contains("s3cret");

        admin().get("/api/v1/campaigns/{id}", id).then().statusCode(200)
                .body("actions[0].signingSecret", equalTo("whsec_…LaSw"))
                .body("createdAt", notNullValue()).body("startedAt", nullValue());
    }

    @Test
    void updateKeepsActionIdsAndAMaskedSecret() {
        String id = campaign("Update me", webhook("https://crm.example.com/a").withSigningSecret(SECRET)).create();
        JsonPath read = admin().get("/api/v1/campaigns/{id}", id).then().extract().jsonPath();
        Map<String, Object> body = read.getMap("");
        body.put("name", "Updated");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> actions = (List<Map<String, Object>>) body.get("actions");
        actions.get(0).put("url", "https://crm.example.com/b");
        actions.add(action("https://crm.example.com/c"));

        JsonPath updated = admin().body(body).put("/api/v1/campaigns/{id}", id).then().statusCode(200).extract()
                .jsonPath();
        assertThat(updated.getString("name")).isEqualTo("Updated");
        assertThat(updated.getString("actions[0].id")).isEqualTo(read.getString("actions[0].id"));
        assertThat(updated.getString("actions[0].url")).isEqualTo("https://crm.example.com/b");
        assertThat(updated.getString("actions[0].signingSecret")).isEqualTo("whsec_…LaSw");
        assertThat(updated.getList("actions")).hasSize(2);

        // The secret survived the round trip: test-send would sign with it; here, the stored
        // campaign still answers with the same mask rather than null.
        admin().get("/api/v1/campaigns/{id}", id).then().body("actions[0].signingSecret", equalTo("whsec_…LaSw"));
        admin().body(Map.of("name", "x", "actions", List.of())).put("/api/v1/campaigns/{id}", id).then()
                .statusCode(400);
    }

    @Test
    void lifecycleMovesAndRefusesWrongMoves() {
        String id = campaign("Lifecycle", webhook("https://a.example.com/")).create();
        admin().post("/api/v1/campaigns/{id}/pause", id).then().statusCode(409)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString("DRAFT"));
        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200).body("status", equalTo("ACTIVE"))
                .body("startedAt", notNullValue());
        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(409);
        admin().delete("/api/v1/campaigns/{id}", id).then().statusCode(409);
        admin().post("/api/v1/campaigns/{id}/pause", id).then().statusCode(200).body("status", equalTo("PAUSED"));
        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200).body("status", equalTo("ACTIVE"));
        admin().post("/api/v1/campaigns/{id}/finish", id).then().statusCode(200).body("status", equalTo("FINISHED"))
                .body("finishedAt", notNullValue());
        admin().post("/api/v1/campaigns/{id}/finish", id).then().statusCode(409);
        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(409);
        admin().body(Map.of("name", "again", "actions", List.of(action("https://a.example.com/")))).put(
                "/api/v1/campaigns/{id}", id).then().statusCode(409);
        admin().delete("/api/v1/campaigns/{id}", id).then().statusCode(204);
        admin().get("/api/v1/campaigns/{id}", id).then().statusCode(404);
    }

    @Test
    void draftCanBeDeletedAndFinishedDirectly() {
        String draft = campaign("Delete draft", webhook("https://a.example.com/")).create();
        admin().delete("/api/v1/campaigns/{id}", draft).then().statusCode(204);
        String other = campaign("Finish draft", webhook("https://a.example.com/")).create();
        admin().post("/api/v1/campaigns/{id}/finish", other).then().statusCode(200);
    }

    @Test
    void unknownAndMalformedIdsAre404() {
        admin().get("/api/v1/campaigns/{id}", UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
        admin().get("/api/v1/campaigns/not-a-uuid").then().statusCode(404);
        admin().post("/api/v1/campaigns/{id}/start", UUID.randomUUID()).then().statusCode(404);
        admin().delete("/api/v1/campaigns/{id}", UUID.randomUUID()).then().statusCode(404);
        admin().get("/api/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void listFiltersAndPages() {
        String tag = "list-" + UUID.randomUUID();
        String first = campaign(tag + " one", webhook("https://a.example.com/")).create();
        String second = campaign(tag + " two", webhook("https://a.example.com/")).create();
        String third = campaign(tag + " three", webhook("https://a.example.com/")).create();
        admin().post("/api/v1/campaigns/{id}/start", second).then().statusCode(200);

        JsonPath page1 = admin().get("/api/v1/campaigns?q=" + tag.toUpperCase() + "&limit=2").then().statusCode(200)
                .extract().jsonPath();
        assertThat(page1.getList("items.id")).containsExactly(third, second);
        JsonPath page2 = admin().get("/api/v1/campaigns?q=" + tag + "&limit=2&after=" + page1.getString("next"))
                .then().extract().jsonPath();
        assertThat(page2.getList("items.id")).containsExactly(first);
        assertThat(page2.getString("next")).isNull();

        admin().get("/api/v1/campaigns?q=" + tag + "&status=active").then()
                .body("items.id", equalTo(List.of(second)));
        admin().get("/api/v1/campaigns?q=" + tag + "&type=MANUAL").then().body("items.size()", equalTo(3));
        admin().get("/api/v1/campaigns?q=" + tag + "&type=TRIGGERED").then().body("items.size()", equalTo(0));
        admin().get("/api/v1/campaigns?status=SOMETIMES").then().statusCode(400)
                .body("errors[0].field", equalTo("status"));
        admin().get("/api/v1/campaigns?limit=501").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        admin().get("/api/v1/campaigns?after=%%%").then().statusCode(400);
    }
}
