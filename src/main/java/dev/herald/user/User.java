package dev.herald.user;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A user of the app, with the attributes Herald keeps for templates and audiences. */
public record User(String id, ObjectNode attributes, Instant createdAt, Instant updatedAt) {
}
