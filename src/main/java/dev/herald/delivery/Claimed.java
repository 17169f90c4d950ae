package dev.herald.delivery;

import java.time.Instant;
import java.util.UUID;

/**
 * A delivery this instance has claimed: leased until {@code lockedUntil}, which also identifies
 * the claim when its result is recorded. {@code renderedNow}: its request was rendered for this
 * claim, and is stored with the claim's outcome, or when it is given back.
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
        String eventData,
        boolean renderedNow) {

    public Claimed rendered(RenderedRequest newRequest, String newCredentials) {
        return new Claimed(id, campaignId, entryId, userId, host, actionId, actionIndex, attempt, lockedUntil,
                newRequest, newCredentials, triggerData, eventData, true);
    }
}
