package dev.herald.audience;

import com.fasterxml.jackson.databind.JsonNode;

/** The body of {@code POST /audience/count}. */
public record AudienceRequest(JsonNode audience) {
}
