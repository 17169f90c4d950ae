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
        boolean blocked,
        Map<String, String> responseHeaders,
        String responseBody) {

    static AttemptResult response(Instant startedAt, int latencyMs, int status, Map<String, String> headers,
            String body) {
        return new AttemptResult(startedAt, latencyMs, status, null, false, false, headers, body);
    }

    static AttemptResult error(Instant startedAt, int latencyMs, String error, boolean timedOut) {
        return new AttemptResult(startedAt, latencyMs, null, error, timedOut, false, null, null);
    }

    static AttemptResult blocked(Instant startedAt, String why) {
        return new AttemptResult(startedAt, 0, null, "destination blocked: " + why, false, true, null, null);
    }

    public boolean succeeded() {
        return statusCode != null && statusCode >= 200 && statusCode < 300;
    }
}
