package dev.herald.delivery;

/** The states of a webhook (contract section 5). */
public enum DeliveryStatus {
    PENDING, SENDING, DELIVERED, FAILED, SKIPPED, CANCELLED;

    public boolean isFinal() {
        return this != PENDING && this != SENDING;
    }

    /** The name as a SQL string literal, for statements that write or compare it. */
    public String sql() {
        return "'" + name() + "'";
    }

    /** {@code (PENDING, SENDING)} as a SQL list: the states a delivery may still leave. */
    public static final String UNFINISHED = "(" + PENDING.sql() + ", " + SENDING.sql() + ")";
}
