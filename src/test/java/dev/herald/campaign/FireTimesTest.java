package dev.herald.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** When ONE_TIME and RECURRING plans fire (contract section 2.1). */
class FireTimesTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    private static SendPlan once(String sendAt, String localTime, String timeZone) {
        return SendPlan.of(new PlanFields("ONE_TIME", sendAt, localTime, timeZone, null, null, null, null, null, null,
                null, null));
    }

    private static SendPlan recurring(String cron, String timeZone, String startAt, String endAt) {
        return SendPlan.of(new PlanFields("RECURRING", null, null, timeZone, null, cron, startAt, endAt, null, null,
                null, null));
    }

    @Test
    void aOneTimeSendFiresAtItsTimeOrAtOnceWhenPast() {
        assertThat(FireTimes.first(once("2026-12-24T18:00:00Z", null, null), NOW))
                .isEqualTo(Instant.parse("2026-12-24T18:00:00Z"));
        assertThat(FireTimes.first(once("2026-12-01T18:00:00Z", null, null), NOW)).isEqualTo(NOW);
        assertThat(FireTimes.next(once("2026-12-24T18:00:00Z", null, null), NOW)).isNull();
    }

    @Test
    void aLocalTimeIsReadInItsZone() {
        assertThat(FireTimes.first(once(null, "2026-12-24T18:00", "Europe/Berlin"), NOW))
                .isEqualTo(Instant.parse("2026-12-24T17:00:00Z"));
    }

    @Test
    void atEachUsersLocalTimeTheRunStartsWhereThatTimeComesFirst() {
        // UTC+14 (Kiribati) reaches 18:00 on the 24th first: 04:00 UTC.
        assertThat(FireTimes.first(once(null, "2026-12-24T18:00", "user"), NOW))
                .isEqualTo(Instant.parse("2026-12-24T04:00:00Z"));
    }

    @Test
    void aRecurringPlanStartsAtStartAtAndStopsAfterEndAt() {
        SendPlan daily = recurring("0 9 * * *", "Europe/Berlin", "2026-12-10T00:00:00Z", "2026-12-12T12:00:00Z");
        Instant first = FireTimes.first(daily, NOW);
        assertThat(first).isEqualTo(Instant.parse("2026-12-10T08:00:00Z"));
        Instant second = FireTimes.next(daily, first);
        assertThat(second).isEqualTo(Instant.parse("2026-12-11T08:00:00Z"));
        assertThat(FireTimes.next(daily, FireTimes.next(daily, second))).isNull();
    }

    @Test
    void aStartAtThatIsAFireTimeFiresThen() {
        SendPlan hourly = recurring("0 * * * *", null, "2026-12-02T12:00:00Z", null);
        assertThat(FireTimes.first(hourly, NOW)).isEqualTo(Instant.parse("2026-12-02T12:00:00Z"));
        assertThat(FireTimes.first(recurring("0 * * * *", null, null, null), NOW)).isEqualTo(NOW);
    }

    @Test
    void manualAndTriggeredPlansHaveNoFireTimes() {
        assertThat(FireTimes.first(SendPlan.of(PlanFields.manual()), NOW)).isNull();
    }
}
