package dev.herald.run;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** The optional body of {@code POST /campaigns/{id}/send}: who (narrowed) and extra template data. */
public record SendRequest(List<String> userIds, JsonNode data) {
}
