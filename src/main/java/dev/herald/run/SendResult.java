package dev.herald.run;

import java.util.UUID;

/** The answer to a send: the run it started and how many users it reached. */
public record SendResult(UUID runId, int audienceSize) {
}
