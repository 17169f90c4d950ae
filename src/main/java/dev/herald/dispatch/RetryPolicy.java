package dev.herald.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.DeliveryReason;
import dev.herald.delivery.DeliveryStatus;

/**
 * Decides what follows an attempt (contract section 5): delivered, another attempt later, or a
 * final failure with its reason.
 */
@Singleton
public class RetryPolicy {

    /** The next state of a delivery; {@code nextAttemptAt} is set when it goes back to PENDING. */
    public record Decision(DeliveryStatus status, DeliveryReason reason, Instant nextAttemptAt) {
    }

    private static final Set<Integer> RETRIED_STATUSES = Set.of(408, 409, 425, 429);
    private static final double JITTER = 0.2;

    private final List<Duration> schedule;

    @Inject
    public RetryPolicy(DeliveryConfig config) {
        this(config.retrySchedule());
    }

    RetryPolicy(List<Duration> schedule) {
        this.schedule = List.copyOf(schedule);
    }

    /** The attempts an action gets when it does not set maxAttempts. */
    public int defaultMaxAttempts() {
        return schedule.size() + 1;
    }

    public Decision decide(AttemptResult result, int attempt, Integer maxAttempts, Instant now) {
        if (result.succeeded()) {
            return new Decision(DeliveryStatus.DELIVERED, null, null);
        }
        if (result.blocked()) {
            return new Decision(DeliveryStatus.FAILED, DeliveryReason.DESTINATION_BLOCKED, null);
        }
        if (result.notBuilt()) {
            return new Decision(DeliveryStatus.FAILED, DeliveryReason.RENDER_ERROR, null);
        }
        boolean retryable = result.statusCode() == null || result.statusCode() >= 500
                || RETRIED_STATUSES.contains(result.statusCode());
        if (!retryable) {
            return new Decision(DeliveryStatus.FAILED, DeliveryReason.PERMANENT_STATUS, null);
        }
        int max = maxAttempts == null ? defaultMaxAttempts() : maxAttempts;
        if (attempt >= max) {
            return new Decision(DeliveryStatus.FAILED, max == 1 && result.timedOut() ? DeliveryReason.TIMEOUT
                    : DeliveryReason.RETRIES_EXHAUSTED,
                    null);
        }
        Duration wait = schedule.isEmpty() ? Duration.ZERO : schedule.get(Math.min(attempt - 1, schedule.size() - 1));
        long jittered = (long) (wait.toMillis() * (1 + ThreadLocalRandom.current().nextDouble(-JITTER, JITTER)));
        Instant next = now.plusMillis(jittered);
        Instant retryAfter = retryAfter(result, now);
        if (retryAfter != null && retryAfter.isAfter(next)) {
            next = retryAfter;
        }
        return new Decision(DeliveryStatus.PENDING, null, next);
    }

    /** {@code Retry-After} as seconds or as an HTTP date; null when absent or unreadable. */
    static Instant retryAfter(AttemptResult result, Instant now) {
        if (result.responseHeaders() == null) {
            return null;
        }
        String value = result.responseHeaders().get("retry-after");
        if (value == null || value.isBlank()) {
            return null;
        }
        value = value.trim();
        if (value.chars().allMatch(Character::isDigit)) {
            return value.length() > 9 ? null : now.plusSeconds(Long.parseLong(value));
        }
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
