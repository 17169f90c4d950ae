package dev.herald.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A campaign's deliveries over a period: counts by status, the share delivered of those that
 * ended, response latency percentiles, the same per action, and a time series.
 */
public record CampaignStats(
        UUID campaignId,
        Instant since,
        Instant until,
        String bucket,
        int total,
        Map<String, Integer> counts,
        Double successRate,
        Latency latencyMs,
        List<ActionStats> actions,
        List<Bucket> series) {

    /** Percentiles of the time from sending a request to its response, in milliseconds. */
    public record Latency(Double p50, Double p95, Double p99) {
    }

    public record ActionStats(UUID actionId, int total, Map<String, Integer> counts, Double successRate,
            Latency latencyMs) {
    }

    /**
     * Deliveries created in {@code [start, start + bucket)}, by their status now, and the
     * latency of the answers their attempts got.
     */
    public record Bucket(Instant start, Map<String, Integer> counts, Latency latencyMs) {
    }
}
