package dev.herald.campaign;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/** One action of a campaign request, as the client wrote it; {@code id} keeps an existing action's id. */
public record ActionRequest(
        UUID id,
        String type,
        String name,
        String delay,
        JsonNode condition,
        String method,
        String url,
        String contentType,
        JsonNode data,
        String body,
        Map<String, String> headers,
        String signingSecret,
        String timeout,
        Integer maxAttempts) {
}
