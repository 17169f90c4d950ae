package dev.herald.delivery;

/** How many deliveries a bulk replay put back to PENDING. */
public record RetryResult(int retried) {
}
