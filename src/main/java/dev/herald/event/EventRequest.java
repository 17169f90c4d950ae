package dev.herald.event;

import com.fasterxml.jackson.databind.JsonNode;

/** The body of {@code POST /events}: {@code id} is the client's own key that makes a repeat harmless. */
public record EventRequest(String userId, String event, JsonNode params, String time, String id,
        JsonNode userAttributes) {
}
