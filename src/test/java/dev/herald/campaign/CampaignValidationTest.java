package dev.herald.campaign;

import static dev.herald.support.Http.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.junit.QuarkusTest;

/** Every validation rule of a campaign: a 400 problem naming the field, and nothing stored. */
@QuarkusTest
class CampaignValidationTest {

    static final String NAME = "validation-" + java.util.UUID.randomUUID();

    private static Map<String, Object> validAction() {
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("url", "https://crm.example.com/hooks/{user.id}");
        action.put("data", Map.of("first_name", "{user.first_name}"));
        return action;
    }

    private static Map<String, Object> campaign(Consumer<Map<String, Object>> campaignChange,
            Consumer<Map<String, Object>> actionChange) {
        Map<String, Object> action = validAction();
        actionChange.accept(action);
        Map<String, Object> campaign = new LinkedHashMap<>();
        campaign.put("name", NAME);
        campaign.put("delivery", Map.of("type", "MANUAL"));
        campaign.put("actions", new ArrayList<>(List.of(action)));
        campaignChange.accept(campaign);
        return campaign;
    }

    private static Arguments action(String field, Consumer<Map<String, Object>> change) {
        return Arguments.of(field, campaign(c -> {
        }, change));
    }

    private static Arguments whole(String field, Consumer<Map<String, Object>> change) {
        return Arguments.of(field, campaign(change, a -> {
        }));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                whole("name", c -> c.remove("name")),
                whole("name", c -> c.put("name", "   ")),
                whole("name", c -> c.put("name", "x".repeat(201))),
                whole("actions", c -> c.put("actions", List.of())),
                whole("actions", c -> c.remove("actions")),
                whole("actions", c -> c.put("actions", java.util.Collections.nCopies(21, validAction()))),
                whole("delivery.type", c -> c.put("delivery", Map.of("type", "SOMETIMES"))),
                whole("delivery.cron", c -> c.put("delivery", Map.of("type", "RECURRING", "cron", "61 * * * *"))),
                whole("delivery.cron", c -> c.put("delivery", Map.of("type", "RECURRING", "cron", "* * *"))),
                whole("delivery.cron", c -> c.put("delivery", Map.of("type", "RECURRING"))),
                whole("delivery.timeZone", c -> c.put("delivery",
                        Map.of("type", "RECURRING", "cron", "0 9 * * MON", "timeZone", "Mars/Olympus"))),
                whole("delivery.sendAt", c -> c.put("delivery", Map.of("type", "ONE_TIME", "sendAt", "tomorrow"))),
                whole("delivery.timeZone", c -> c.put("delivery",
                        Map.of("type", "ONE_TIME", "localTime", "2026-12-01T09:00"))),
                whole("delivery.trigger", c -> c.put("delivery", Map.of("type", "TRIGGERED"))),
                whole("delivery.delay", c -> c.put("delivery",
                        Map.of("type", "TRIGGERED", "trigger", Map.of("event", "x"), "delay", "soon"))),
                whole("delivery.cron", c -> c.put("delivery", Map.of("type", "MANUAL", "cron", "* * * * *"))),
                whole("limits.perUser.max", c -> c.put("limits", Map.of("perUser", Map.of("max", 0)))),
                whole("limits.maxPerMinute", c -> c.put("limits", Map.of("maxPerMinute", -1))),
                whole("limits.quietHours.start", c -> c.put("limits",
                        Map.of("quietHours", Map.of("start", "25:00", "end", "08:00", "timeZone", "UTC")))),
                whole("exitOn", c -> c.put("exitOn", Map.of("event", 5))),
                whole("audience", c -> c.put("audience", "everyone")),
                action("actions[0].url", a -> a.remove("url")),
                action("actions[0].url", a -> a.put("url", "/relative/path")),
                action("actions[0].url", a -> a.put("url", "ftp://files.example.com/x")),
                action("actions[0].url", a -> a.put("url", "https:///no-host")),
                action("actions[0].url", a -> a.put("url", "https://{user.host}/x")),
                action("actions[0].url", a -> a.put("url", "https://example.com/a b")),
                action("actions[0].url", a -> a.put("url", "https://example.com:99999/")),
                action("actions[0].url", a -> a.put("url", "https://example.com/{user.id")),
                action("actions[0].method", a -> a.put("method", "TRACE")),
                action("actions[0].type", a -> a.put("type", "EMAIL")),
                action("actions[0].contentType", a -> a.put("contentType", "text/csv")),
                action("actions[0].contentType", a -> a.put("contentType", "text/plain")),
                action("actions[0].body", a -> a.put("body", "raw")),
                action("actions[0].data", a -> a.put("data", List.of("not", "an", "object"))),
                action("actions[0].data.first_name", a -> a.put("data", Map.of("first_name", "{#if}"))),
                action("actions[0].body", a -> {
                    a.remove("data");
                    a.put("body", "line one\n{user.name");
                }),
                action("actions[0].headers.Host", a -> a.put("headers", Map.of("Host", "evil.example.com"))),
                action("actions[0].headers.Content-Length", a -> a.put("headers", Map.of("Content-Length", "1"))),
                action("actions[0].headers.webhook-id", a -> a.put("headers", Map.of("webhook-id", "x"))),
                action("actions[0].headers.Webhook-Signature", a -> a.put("headers", Map.of("Webhook-Signature", "x"))),
                action("actions[0].headers.Bad Name", a -> a.put("headers", Map.of("Bad Name", "x"))),
                action("actions[0].headers.X-Tpl", a -> a.put("headers", Map.of("X-Tpl", "{user.id"))),
                action("actions[0].timeout", a -> a.put("timeout", "PT61S")),
                action("actions[0].timeout", a -> a.put("timeout", "PT0S")),
                action("actions[0].timeout", a -> a.put("timeout", "15 seconds")),
                action("actions[0].delay", a -> a.put("delay", "-PT1M")),
                action("actions[0].maxAttempts", a -> a.put("maxAttempts", 0)),
                action("actions[0].signingSecret", a -> a.put("signingSecret", "secret")),
                action("actions[0].signingSecret", a -> a.put("signingSecret", "whsec_c2hvcnQ=")),
                action("actions[0].signingSecret", a -> a.put("signingSecret", "whsec_!!not base64!!")),
                action("actions[0].condition", a -> a.put("condition", 42)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidCampaignIsRefusedWithItsFieldAndNotStored(String field, Map<String, Object> body) {
        int before = stored();
        admin().body(body).post("/api/v1/campaigns").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("type", containsString("/problems/"))
                .body("errors.field", hasItem(field));
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void templateSyntaxErrorNamesLineAndColumn() {
        Map<String, Object> body = campaign(c -> {
        }, a -> {
            a.remove("data");
            a.put("body", "first line\nsecond {user.name");
        });
        admin().body(body).post("/api/v1/campaigns").then().statusCode(400)
                .body("errors[0].field", equalTo("actions[0].body"))
                .body("errors[0].message", containsString("line 2"))
                .body("errors[0].message", containsString("column"));
    }

    @Test
    void allErrorsAreReportedAtOnce() {
        Map<String, Object> body = campaign(c -> c.remove("name"), a -> {
            a.put("method", "TRACE");
            a.put("timeout", "PT2M");
        });
        admin().body(body).post("/api/v1/campaigns").then().statusCode(400)
                .body("errors.field", hasItem("name"))
                .body("errors.field", hasItem("actions[0].method"))
                .body("errors.field", hasItem("actions[0].timeout"));
    }

    @Test
    void malformedJsonAndWrongTypesAreClearErrors() {
        admin().body("{\"name\": ").post("/api/v1/campaigns").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("not valid JSON"));
        admin().body("{\"name\": \"x\", \"actions\": \"none\"}").post("/api/v1/campaigns").then().statusCode(400)
                .body("errors[0].field", equalTo("actions"));
        admin().body("{\"name\": \"x\", \"actions\": [{\"url\": \"https://a.example\", \"maxAttempts\": \"many\"}]}")
                .post("/api/v1/campaigns").then().statusCode(400)
                .body("errors[0].field", equalTo("actions[0].maxAttempts"));
        admin().contentType("text/plain").body("hello").post("/api/v1/campaigns").then().statusCode(415)
                .contentType("application/problem+json");
    }

    @Test
    void validUpdateOfEveryDeliveryTypeIsAccepted() {
        for (Map<String, Object> delivery : List.of(
                Map.<String, Object> of("type", "MANUAL"),
                Map.<String, Object> of("type", "ONE_TIME", "sendAt", "2026-12-01T09:00:00Z"),
                Map.<String, Object> of("type", "ONE_TIME", "localTime", "2026-12-01T09:00", "timeZone", "user",
                        "defaultTimeZone", "Europe/Berlin"),
                Map.<String, Object> of("type", "RECURRING", "cron", "*/15 9-17 * JAN-MAR MON-FRI",
                        "timeZone", "America/New_York"),
                Map.<String, Object> of("type", "TRIGGERED", "trigger", Map.of("event", "order_shipped"),
                        "delay", "PT10M"),
                Map.<String, Object> of("type", "TRIGGERED", "trigger", Map.of("attributeChanged", "plan", "to", "pro"),
                        "relativeTo", "event.params.appointment_at", "offset", "-PT1H"))) {
            Map<String, Object> body = campaign(c -> c.put("delivery", delivery), a -> {
            });
            admin().body(body).post("/api/v1/campaigns").then().statusCode(201)
                    .body("delivery.type", equalTo(delivery.get("type")));
        }
        admin().get("/api/v1/campaigns?q=" + NAME + "&limit=500").then().statusCode(200);
    }

    private static int stored() {
        return admin().get("/api/v1/campaigns?q=" + NAME + "&limit=500").then().statusCode(200).extract()
                .path("items.size()");
    }
}
