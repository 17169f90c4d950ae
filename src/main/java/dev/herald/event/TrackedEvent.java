package dev.herald.event;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/** A stored event as {@code GET /users/{id}/events} shows it; {@code clientId} is the id the app sent. */
public record TrackedEvent(UUID id, String userId, String event, JsonNode params, Instant time, Instant receivedAt,
        String clientId) {
}
