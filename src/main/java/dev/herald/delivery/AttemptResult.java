package dev.herald.delivery;

import java.time.Instant;
import java.util.Map;

/** What one attempt to send a webhook came to: a response, or an error before one arrived. */
public record AttemptResult(
        Instant startedAt,
        int latencyMs,
        Integer statusCode,
        String error,
        boolean timedOut,
        Map<String, String> responseHeaders,
        String responseBody) {

    public boolean succeeded() {
        return statusCode != null && statusCode >= 200 && statusCode < 300;
    }
}
