package dev.herald.delivery;

/** Why a delivery ended as it did, where its status alone does not say (contract section 5). */
public enum DeliveryReason {
    /** SKIPPED: the user had had the campaign's {@code limits.perUser} entries. */
    FREQUENCY_CAP,
    /** SKIPPED: the action's condition did not hold when the action was first due. */
    CONDITION,
    /** SKIPPED: the action was removed from the campaign before it was sent. */
    ACTION_REMOVED,
    /** SKIPPED: the user was deleted before the action was sent. */
    USER_DELETED,
    /** CANCELLED: the campaign was finished. */
    CAMPAIGN_FINISHED,
    /** CANCELLED: the user tracked the campaign's {@code exitOn} event. */
    USER_EXITED,
    /** FAILED: every attempt failed. */
    RETRIES_EXHAUSTED,
    /** FAILED: the one attempt allowed timed out. */
    TIMEOUT,
    /** FAILED: the receiver answered a status that is not retried (a 4xx other than 408, 409, 425, 429). */
    PERMANENT_STATUS,
    /** FAILED: the destination's address is not one webhooks may reach. */
    DESTINATION_BLOCKED,
    /** FAILED: the request could not be built from its templates. */
    RENDER_ERROR;

    /** The name as a SQL string literal, for statements that write or compare it. */
    public String sql() {
        return "'" + name() + "'";
    }
}
