package dev.herald.dispatch;

import com.fasterxml.jackson.databind.JsonNode;

/** The body of preview and test-send: whom to render for, and an optional event and data. */
public record PreviewRequest(String userId, JsonNode event, JsonNode data) {
}
