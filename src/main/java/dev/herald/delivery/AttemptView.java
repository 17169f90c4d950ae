package dev.herald.delivery;

import java.time.Instant;
import java.util.Map;

/** One attempt of a delivery: when, how long, what came back (the first 4 KiB of the body). */
public record AttemptView(
        int number,
        Instant startedAt,
        int latencyMs,
        Integer statusCode,
        String error,
        Map<String, String> responseHeaders,
        String responseBody) {
}
