package dev.herald.run;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.herald.delivery.DeliveryStatus;

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

    /** A stored run and its deliveries' counts; every status is shown, zero or not. */
    static RunView of(RunEntity run, Map<DeliveryStatus, Integer> counts) {
        Map<String, Integer> byStatus = new LinkedHashMap<>();
        boolean open = false;
        for (DeliveryStatus status : DeliveryStatus.values()) {
            int n = counts.getOrDefault(status, 0);
            byStatus.put(status.name(), n);
            open |= n > 0 && !status.isFinal();
        }
        RunStatus shown = run.status != RunStatus.STARTED ? run.status
                : run.writing ? RunStatus.WRITING_USERS
                : open ? RunStatus.IN_PROGRESS : RunStatus.COMPLETED;
        return new RunView(run.id, run.campaignId, run.kind, run.fireTime, shown, run.audienceSize,
                run.usersWritten, byStatus, run.createdAt);
    }
}
