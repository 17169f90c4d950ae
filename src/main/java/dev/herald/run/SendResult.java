package dev.herald.run;

import java.util.UUID;

/**
 * The answer to a send: the run it started and how many entries it made, or null while the
 * run is still writing its audience (then {@code GET /campaigns/{id}/runs} shows its progress).
 */
public record SendResult(UUID runId, Integer audienceSize) {
}
