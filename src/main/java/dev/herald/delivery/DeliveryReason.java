package dev.herald.delivery;

import java.util.Arrays;
import java.util.List;

/** Why a delivery ended as it did, where its status alone does not say (contract section 5). */
public enum DeliveryReason {
    /** SKIPPED: the user had had the campaign's {@code limits.perUser} entries. */
    FREQUENCY_CAP(DeliveryStatus.SKIPPED),
    /** SKIPPED: the action's condition did not hold when the action was first due. */
    CONDITION(DeliveryStatus.SKIPPED),
    /** SKIPPED: the action was removed from the campaign before it was sent. */
    ACTION_REMOVED(DeliveryStatus.SKIPPED),
    /** SKIPPED: the user was deleted before the action was sent. */
    USER_DELETED(DeliveryStatus.SKIPPED),
    /** CANCELLED: the campaign was finished. */
    CAMPAIGN_FINISHED(DeliveryStatus.CANCELLED),
    /** CANCELLED: the user tracked the campaign's {@code exitOn} event. */
    USER_EXITED(DeliveryStatus.CANCELLED),
    /** FAILED: every attempt failed. */
    RETRIES_EXHAUSTED(DeliveryStatus.FAILED),
    /** FAILED: the one attempt allowed timed out. */
    TIMEOUT(DeliveryStatus.FAILED),
    /** FAILED: the receiver answered a status that is not retried (a 4xx other than 408, 409, 425, 429). */
    PERMANENT_STATUS(DeliveryStatus.FAILED),
    /** FAILED: the destination's address is not one webhooks may reach. */
    DESTINATION_BLOCKED(DeliveryStatus.FAILED),
    /** FAILED: the request could not be built from its templates. */
    RENDER_ERROR(DeliveryStatus.FAILED);

    private final DeliveryStatus status;

    DeliveryReason(DeliveryStatus status) {
        this.status = status;
    }

    /**
     * The status a delivery with this reason has: FAILED, SKIPPED or CANCELLED. Every delivery of
     * those has a reason and no other has one (V14's constraint).
     */
    public DeliveryStatus status() {
        return status;
    }

    /** The reasons of {@code status}: none for PENDING, SENDING and DELIVERED. */
    public static List<DeliveryReason> of(DeliveryStatus status) {
        return Arrays.stream(values()).filter(r -> r.status == status).toList();
    }

    /** The name as a SQL string literal, for statements that write or compare it. */
    public String sql() {
        return "'" + name() + "'";
    }
}
