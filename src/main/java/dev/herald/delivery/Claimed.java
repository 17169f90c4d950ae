package dev.herald.delivery;

import java.time.Instant;
import java.util.UUID;

/**
 * A delivery this instance has claimed: leased until {@code lockedUntil}, which also identifies
 * the claim when its result is recorded.
 */
public record Claimed(
        UUID id,
        UUID campaignId,
        UUID entryId,
        String userId,
        String host,
        UUID actionId,
        int actionIndex,
        int attempt,
        Instant lockedUntil,
        RenderedRequest request,
        String credentials,
        String triggerData,
        String eventData) {

    public Claimed rendered(RenderedRequest newRequest, String newCredentials) {
        return new Claimed(id, campaignId, entryId, userId, host, actionId, actionIndex, attempt, lockedUntil,
                newRequest, newCredentials, triggerData, eventData);
    }
}
