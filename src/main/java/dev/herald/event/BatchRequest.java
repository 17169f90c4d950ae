package dev.herald.event;

import java.util.List;

/** The body of {@code POST /events/batch}. */
public record BatchRequest(List<EventRequest> events) {
}
