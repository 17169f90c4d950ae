package dev.herald.delivery;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A delivery as the API shows it. Lists leave out {@code request} and {@code attempts}; a
 * single read has both, with credentials masked. {@code dueAt} is absent while the delivery waits
 * for the entry's previous action to end.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryView(
        UUID id,
        UUID campaignId,
        UUID actionId,
        String userId,
        UUID runId,
        UUID entryId,
        DeliveryStatus status,
        DeliveryReason reason,
        boolean test,
        int attemptCount,
        Integer lastStatusCode,
        String lastError,
        Instant dueAt,
        Instant createdAt,
        Instant updatedAt,
        Instant finishedAt,
        RenderedRequest request,
        List<AttemptView> attempts) {
}
