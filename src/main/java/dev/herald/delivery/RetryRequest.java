package dev.herald.delivery;

/** The body of a bulk retry: which failed deliveries of the campaign to send again. */
public record RetryRequest(String status, String reason, String since) {
}
