package dev.herald.delivery;

/** How many deliveries a bulk retry put back to PENDING. */
public record RetryResult(int retried) {
}
