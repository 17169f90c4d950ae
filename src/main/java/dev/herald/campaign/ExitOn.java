package dev.herald.campaign;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A campaign's {@code exitOn}: the event that cancels what is pending for the user who tracks
 * it. {@code json} is the object as written; both are null when the campaign has none.
 */
@RegisterForReflection
public record ExitOn(@JsonValue JsonNode json, String event) {

    public static final ExitOn NONE = new ExitOn(null, null);

    public static ExitOn of(JsonNode json) {
        return json == null || json.isNull() ? NONE : new ExitOn(json, json.get("event").asText());
    }
}
