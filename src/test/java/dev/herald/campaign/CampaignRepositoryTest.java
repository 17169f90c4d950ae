package dev.herald.campaign;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The engine reads campaigns again for every claim, and their stored JSON is parsed once while
 * it stays the same: what changed in a campaign is read as it now is, the rest reused.
 */
@QuarkusTest
class CampaignRepositoryTest {

    @Inject
    CampaignRepository campaigns;

    private Campaign read(String id) {
        return campaigns.findAll(List.of(UUID.fromString(id))).await().indefinitely().get(0);
    }

    @Test
    void unchangedJsonIsParsedOnceAndAChangeIsReadAsItNowIs() {
        String id = campaign("Parsed once", webhook("https://crm.example.com/a")).create();
        Campaign first = read(id);
        Campaign again = read(id);
        assertThat(again.actions()).isSameAs(first.actions());
        assertThatThrownBy(() -> again.actions().clear()).isInstanceOf(UnsupportedOperationException.class);

        Map<String, Object> body = admin().get("/api/v1/campaigns/{id}", id).then().extract().jsonPath().getMap("");
        body.put("name", "Renamed");
        admin().body(body).put("/api/v1/campaigns/{id}", id).then().statusCode(200);
        Campaign renamed = read(id);
        assertThat(renamed.name()).isEqualTo("Renamed");
        assertThat(renamed.actions()).isSameAs(first.actions());

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> actions = (List<Map<String, Object>>) body.get("actions");
        actions.get(0).put("url", "https://crm.example.com/b");
        body.put("limits", Map.of("maxPerMinute", 7));
        admin().body(body).put("/api/v1/campaigns/{id}", id).then().statusCode(200);
        Campaign changed = read(id);
        assertThat(changed.actions().get(0).url()).isEqualTo("https://crm.example.com/b");
        assertThat(changed.limits().maxPerMinute()).isEqualTo(7);

        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200);
        assertThat(read(id).status()).isEqualTo(CampaignStatus.ACTIVE);
        // The API's own read goes through Hibernate and sees the same campaign.
        admin().get("/api/v1/campaigns/{id}", id).then().statusCode(200)
                .body("actions[0].url", equalTo("https://crm.example.com/b"))
                .body("limits.maxPerMinute", equalTo(7));
    }

    @Test
    void aDeletedCampaignsParsedJsonLeavesMemoryWithIt() {
        String id = campaign("Deleted", webhook("https://crm:s3cret@crm.example.com/a")).create();
        read(id);
        assertThat(campaigns.keepsParsed(UUID.fromString(id))).isTrue();

        admin().delete("/api/v1/campaigns/{id}", id).then().statusCode(204);
        assertThat(campaigns.keepsParsed(UUID.fromString(id))).isFalse();
    }
}
