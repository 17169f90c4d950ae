package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.DeliveryReason;
import dev.herald.delivery.DeliveryStatus;

/** What follows an attempt (contract section 5), without a database or a clock. */
class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5)));

    private static AttemptResult status(int code, Map<String, String> headers) {
        return AttemptResult.response(NOW, 12, code, headers, "");
    }

    @Test
    void aSuccessIsDelivered() {
        assertThat(policy.decide(status(204, Map.of()), 1, null, NOW))
                .isEqualTo(new RetryPolicy.Decision(DeliveryStatus.DELIVERED, null, null));
    }

    @ParameterizedTest
    @ValueSource(ints = { 400, 401, 404, 410, 422 })
    void aClientErrorIsFinal(int code) {
        assertThat(policy.decide(status(code, Map.of()), 1, null, NOW))
                .isEqualTo(new RetryPolicy.Decision(DeliveryStatus.FAILED, DeliveryReason.PERMANENT_STATUS, null));
    }

    @ParameterizedTest
    @ValueSource(ints = { 408, 409, 425, 429, 500, 503 })
    void retriedStatusesWaitTheScheduleWithJitter(int code) {
        RetryPolicy.Decision first = policy.decide(status(code, Map.of()), 1, null, NOW);
        assertThat(first.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(first.nextAttemptAt()).isBetween(NOW.plusMillis(4_000), NOW.plusMillis(6_000));
        RetryPolicy.Decision second = policy.decide(status(code, Map.of()), 2, null, NOW);
        assertThat(second.nextAttemptAt()).isBetween(NOW.plusSeconds(240), NOW.plusSeconds(360));
        // Past the schedule's end, its last wait repeats until the attempts run out.
        RetryPolicy.Decision later = policy.decide(status(code, Map.of()), 2, 5, NOW);
        assertThat(later.nextAttemptAt()).isBetween(NOW.plusSeconds(240), NOW.plusSeconds(360));
    }

    @Test
    void theLastAttemptEndsTheDelivery() {
        assertThat(policy.defaultMaxAttempts()).isEqualTo(3);
        assertThat(policy.decide(status(500, Map.of()), 3, null, NOW))
                .isEqualTo(new RetryPolicy.Decision(DeliveryStatus.FAILED, DeliveryReason.RETRIES_EXHAUSTED, null));
        AttemptResult timedOut = AttemptResult.error(NOW, 1_000, "timed out", true);
        assertThat(policy.decide(timedOut, 1, 1, NOW).reason()).isEqualTo(DeliveryReason.TIMEOUT);
        assertThat(policy.decide(timedOut, 2, 2, NOW).reason()).isEqualTo(DeliveryReason.RETRIES_EXHAUSTED);
    }

    @Test
    void connectionErrorsAreRetried() {
        assertThat(policy.decide(AttemptResult.error(NOW, 3, "connection refused", false), 1, null, NOW).status())
                .isEqualTo(DeliveryStatus.PENDING);
    }

    @Test
    void blockedAndUnbuildableRequestsAreNeverRetried() {
        assertThat(policy.decide(AttemptResult.blocked(NOW, "loopback"), 1, null, NOW))
                .isEqualTo(new RetryPolicy.Decision(DeliveryStatus.FAILED, DeliveryReason.DESTINATION_BLOCKED, null));
        assertThat(policy.decide(AttemptResult.notBuilt(NOW, "too big"), 1, null, NOW))
                .isEqualTo(new RetryPolicy.Decision(DeliveryStatus.FAILED, DeliveryReason.RENDER_ERROR, null));
    }

    @Test
    void aLaterRetryAfterIsHonoured() {
        assertThat(policy.decide(status(429, Map.of("retry-after", "120")), 1, null, NOW).nextAttemptAt())
                .isEqualTo(NOW.plusSeconds(120));
        assertThat(policy.decide(status(503, Map.of("retry-after", "Wed, 02 Dec 2026 11:00:00 GMT")), 1, null, NOW)
                .nextAttemptAt()).isEqualTo(Instant.parse("2026-12-02T11:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "1", "soon", "9999999999", "Wed, 02 Dec 2026 09:00:00 GMT", " " })
    void anEarlierOrUnreadableRetryAfterKeepsTheSchedule(String value) {
        assertThat(policy.decide(status(503, Map.of("retry-after", value)), 1, null, NOW).nextAttemptAt())
                .isBetween(NOW.plusMillis(4_000), NOW.plusMillis(6_000));
    }
}
