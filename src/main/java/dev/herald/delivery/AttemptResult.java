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
        boolean notBuilt,
        Map<String, String> responseHeaders,
        String responseBody) {

    public static AttemptResult response(Instant startedAt, int latencyMs, int status, Map<String, String> headers,
            String body) {
        return new AttemptResult(startedAt, latencyMs, status, null, false, false, false, headers, body);
    }

    public static AttemptResult error(Instant startedAt, int latencyMs, String error, boolean timedOut) {
        return new AttemptResult(startedAt, latencyMs, null, error, timedOut, false, false, null, null);
    }

    public static AttemptResult blocked(Instant startedAt, String why) {
        return new AttemptResult(startedAt, 0, null, "destination blocked: " + why, false, true, false, null, null);
    }

    /** The request could not be built, so nothing was sent: the delivery's fault, not the host's. */
    public static AttemptResult notBuilt(Instant startedAt, String why) {
        return new AttemptResult(startedAt, 0, null, "request cannot be built: " + why, false, false, true, null, null);
    }

    public boolean succeeded() {
        return statusCode != null && statusCode >= 200 && statusCode < 300;
    }
}
