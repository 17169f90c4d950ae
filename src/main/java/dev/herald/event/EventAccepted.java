package dev.herald.event;

import java.util.UUID;

/** The answer to {@code POST /events}: the event's id, whether it was a repeat, and the entries it made. */
public record EventAccepted(UUID id, boolean duplicate, int entries) {
}
