package dev.herald.delivery;

/** The states of a webhook (contract section 5). */
public enum DeliveryStatus {
    PENDING, SENDING, DELIVERED, FAILED, SKIPPED, CANCELLED;

    public boolean isFinal() {
        return this != PENDING && this != SENDING;
    }
}
