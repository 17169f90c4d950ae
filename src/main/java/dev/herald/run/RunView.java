package dev.herald.run;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A run as the API shows it, with its deliveries counted by status. */
public record RunView(
        UUID id,
        UUID campaignId,
        RunKind kind,
        Instant fireTime,
        RunStatus status,
        Integer audienceSize,
        int usersWritten,
        Map<String, Integer> deliveries,
        Instant createdAt) {
}
