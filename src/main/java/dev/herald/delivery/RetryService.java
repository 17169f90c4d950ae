package dev.herald.delivery;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.platform.ProblemException;
import dev.herald.platform.Sql;
import dev.herald.platform.Wakeups;
import io.smallrye.mutiny.Uni;

/**
 * Sends failed deliveries again: the same stored request, the same {@code webhook-id}, attempts
 * counted from one again.
 */
@ApplicationScoped
public class RetryService {

    private final DeliveryStore deliveries;
    private final DeliveryQueries queries;
    private final Wakeups wakeups;
    private final Clock clock;

    public RetryService(DeliveryStore deliveries, DeliveryQueries queries, Wakeups wakeups, Clock clock) {
        this.deliveries = deliveries;
        this.queries = queries;
        this.wakeups = wakeups;
        this.clock = clock;
    }

    public Uni<DeliveryView> retry(UUID id) {
        Instant now = Sql.millis(clock.instant());
        return deliveries.retry(id, now).chain(retried -> {
            if (retried) {
                wakeups.wakeAll();
                return queries.find(id);
            }
            return queries.find(id).map(found -> {
                if (found == null) {
                    throw ProblemException.notFound("delivery", id.toString());
                }
                if (found.status() != DeliveryStatus.FAILED) {
                    throw ProblemException.conflict("Delivery " + id + " is " + found.status()
                            + "; only FAILED deliveries can be retried.");
                }
                throw ProblemException.conflict("The campaign of delivery " + id + " is FINISHED.");
            });
        });
    }

    public Uni<RetryResult> retryAll(UUID campaignId, RetryRequest request) {
        String status = request == null || request.status() == null ? "FAILED"
                : request.status().toUpperCase(Locale.ROOT);
        if (!status.equals("FAILED")) {
            throw ProblemException.invalid("status", "must be FAILED: only failed deliveries can be retried");
        }
        Instant since = null;
        if (request != null && request.since() != null) {
            try {
                since = Instant.parse(request.since());
            } catch (DateTimeException e) {
                throw ProblemException.invalid("since", "must be an ISO-8601 instant such as 2026-12-01T09:00:00Z");
            }
        }
        DeliveryReason reason = null;
        if (request != null && request.reason() != null && !request.reason().isBlank()) {
            try {
                reason = DeliveryReason.valueOf(request.reason().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ProblemException.invalid("reason", "must be one of " + Arrays.toString(DeliveryReason.values()));
            }
        }
        Instant now = Sql.millis(clock.instant());
        return deliveries.retryAll(campaignId, reason, since, now)
                .invoke(count -> {
                    if (count > 0) {
                        wakeups.wakeAll();
                    }
                })
                .map(RetryResult::new);
    }
}
