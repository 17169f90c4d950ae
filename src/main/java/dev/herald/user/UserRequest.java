package dev.herald.user;

import com.fasterxml.jackson.databind.JsonNode;

/** The body of {@code PUT} and {@code PATCH /users/{id}}. */
public record UserRequest(JsonNode attributes) {
}
