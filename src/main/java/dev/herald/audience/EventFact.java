package dev.herald.audience;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/** One tracked event, as event criteria count it in memory. */
public record EventFact(String name, Instant time, JsonNode params) {
}
