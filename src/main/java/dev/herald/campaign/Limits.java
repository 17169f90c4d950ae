package dev.herald.campaign;

import java.time.Duration;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A campaign's {@code limits} (contract section 2.3), parsed; {@code json} is the object as
 * written, null for none. Each part is null when not set.
 */
@RegisterForReflection
public record Limits(@JsonValue JsonNode json, PerUser perUser, Integer maxPerMinute, QuietHours quietHours) {

    /** No limits. */
    public static final Limits NONE = new Limits(null, null, null, null);

    /** At most {@code max} entries per user in {@code window} (null: ever). */
    public record PerUser(int max, Duration window) {
    }

    /** The limits of an object already checked (on save, or as stored). */
    public static Limits of(JsonNode json) {
        if (json == null || json.isNull()) {
            return NONE;
        }
        JsonNode perUser = json.get("perUser");
        JsonNode window = perUser == null || perUser.isNull() ? null : perUser.get("window");
        JsonNode perMinute = json.get("maxPerMinute");
        return new Limits(json,
                perUser == null || perUser.isNull() ? null : new PerUser(perUser.get("max").asInt(),
                        window == null || window.isNull() ? null : Duration.parse(window.asText())),
                perMinute == null || perMinute.isNull() ? null : perMinute.asInt(),
                QuietHours.of(json.get("quietHours")));
    }
}
