package dev.herald.user;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/** A tracked event as triggers see it. */
public record TriggeringEvent(UUID id, String name, JsonNode params, Instant time) {
}
