package dev.herald.audience;

import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.userId;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import io.quarkus.test.junit.QuarkusTest;

/** Audiences through the API: validation with paths, counting, manual runs and previews. */
@QuarkusTest
class AudienceResourceTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    private static Map<String, Object> tag(String tag) {
        return Map.of("attribute", "tag", "op", "eq", "value", tag);
    }

    @Test
    void countsTheUsersOfAnAudience() {
        String tag = "count-" + java.util.UUID.randomUUID();
        user("c").with("tag", tag).with("plan", "pro").with("score", 10).put();
        user("c").with("tag", tag).with("plan", "free").with("score", 2.5).put();
        user("c").with("tag", tag).put();
        Map<String, Object> audience = Map.of("all", List.of(tag(tag),
                Map.of("any", List.of(Map.of("attribute", "plan", "op", "in", "value", List.of("pro", "team")),
                        Map.of("attribute", "score", "op", "lt", "value", 3)))));
        admin().body(Map.of("audience", audience)).post("/api/v1/audience/count").then().statusCode(200)
                .body("count", equalTo(2));
        admin().body(Map.of("audience", Map.of("all", List.of(tag(tag),
                Map.of("attribute", "plan", "op", "ne", "value", "pro"))))).post("/api/v1/audience/count").then()
                .body("count", equalTo(2));
        admin().body(Map.of("audience", Map.of("all", List.of(tag(tag),
                Map.of("attribute", "plan", "op", "notExists"))))).post("/api/v1/audience/count").then()
                .body("count", equalTo(1));
    }

    @Test
    void invalidTreesNameThePathOfTheBadNode() {
        admin().body(Map.of("audience", Map.of("all", List.of(Map.of("attribute", "plan", "op", "equals",
                "value", "pro"))))).post("/api/v1/audience/count").then().statusCode(400)
                .body("errors.field", hasItem("audience.all[0].op"));
        admin().body(Map.of("audience", Map.of("any", List.of(Map.of("attribute", "plan", "op", "in", "value", "pro")))))
                .post("/api/v1/audience/count").then().statusCode(400)
                .body("errors.field", hasItem("audience.any[0].value"));
        admin().body(Map.of("audience", Map.of("whatever", 1))).post("/api/v1/audience/count").then().statusCode(400)
                .body("errors.field", hasItem("audience"));
        admin().body(Map.of("audience", Map.of("param", "x", "op", "eq", "value", 1))).post("/api/v1/audience/count")
                .then().statusCode(400).body("errors.field", hasItem("audience.param"));
        Object deep = tag("x");
        for (int i = 0; i < 11; i++) {
            deep = Map.of("not", deep);
        }
        admin().body(Map.of("audience", deep)).post("/api/v1/audience/count").then().statusCode(400)
                .body("errors[0].message", org.hamcrest.Matchers.containsString("10 levels"));

        Map<String, Object> campaign = new HashMap<>();
        campaign.put("name", "bad audience");
        campaign.put("audience", Map.of("attribute", "plan", "op", "between", "value", List.of(1)));
        campaign.put("actions", List.of(Map.of("url", "https://a.example.com/",
                "condition", Map.of("bucket", Map.of("from", 5, "to", 2)))));
        admin().body(campaign).post("/api/v1/campaigns").then().statusCode(400)
                .body("errors.field", hasItem("audience.value"))
                .body("errors.field", hasItem("actions[0].condition.bucket"));
    }

    @Test
    void manualRunsAndPreviewsHonourTheAudience() {
        Receiver receiver = receivers.fresh();
        String tag = "run-" + java.util.UUID.randomUUID();
        String pro = user("pro").with("tag", tag).with("plan", "pro").put();
        String free = user("free").with("tag", tag).with("plan", "free").put();
        Map<String, Object> campaign = new HashMap<>();
        campaign.put("name", "pro only");
        campaign.put("audience", Map.of("all", List.of(tag(tag), Map.of("attribute", "plan", "op", "eq", "value", "pro"))));
        campaign.put("actions", List.of(Map.of("url", receiver.url("/pro"))));
        String id = admin().body(campaign).post("/api/v1/campaigns").then().statusCode(201).extract().path("id");

        admin().body(Map.of("userId", pro)).post("/api/v1/campaigns/{id}/preview", id).then()
                .body("inAudience", equalTo(true));
        admin().body(Map.of("userId", free)).post("/api/v1/campaigns/{id}/preview", id).then()
                .body("inAudience", equalTo(false));

        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200);
        admin().post("/api/v1/campaigns/{id}/send", id).then().statusCode(202).body("audienceSize", equalTo(1));
        admin().body(Map.of("userIds", List.of(free))).post("/api/v1/campaigns/{id}/send", id).then().statusCode(202)
                .body("audienceSize", equalTo(0));
        receiver.await("/pro", 1);
        assertThat(admin().get("/api/v1/deliveries?campaignId=" + id).then().extract().<List<String>> path(
                "items.userId")).containsExactly(pro);
    }

    @Test
    void runsHonourPerUserCaps() {
        Receiver receiver = receivers.fresh();
        String user = user("capped-run").put();
        Map<String, Object> campaign = new HashMap<>();
        campaign.put("name", "capped run");
        campaign.put("limits", Map.of("perUser", Map.of("max", 1, "window", "P7D")));
        campaign.put("actions", List.of(Map.of("url", receiver.url("/capped-run"))));
        String id = admin().body(campaign).post("/api/v1/campaigns").then().statusCode(201).extract().path("id");
        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200);
        admin().body(Map.of("userIds", List.of(user))).post("/api/v1/campaigns/{id}/send", id).then()
                .body("audienceSize", equalTo(1));
        admin().body(Map.of("userIds", List.of(user))).post("/api/v1/campaigns/{id}/send", id).then()
                .body("audienceSize", equalTo(0));
        receiver.await("/capped-run", 1);
        admin().get("/api/v1/deliveries?campaignId=" + id + "&status=SKIPPED").then()
                .body("items.size()", equalTo(1)).body("items[0].reason", equalTo("FREQUENCY_CAP"));
    }
}
