package dev.herald.campaign;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** When ONE_TIME and RECURRING campaigns fire (contract section 2.1). */
public final class FireTimes {

    /** The zone furthest ahead: with {@code timeZone: "user"}, the run starts when the first users' local time comes. */
    private static final ZoneId EARLIEST = ZoneOffset.ofHours(14);

    private FireTimes() {
    }

    /** The first fire time of a plan started at {@code now}; a time already past fires at once. Null: never. */
    public static Instant first(SendPlan plan, Instant now) {
        if (plan instanceof SendPlan.OneTime once) {
            Instant at = at(once);
            return at == null || at.isBefore(now) ? now : at;
        }
        if (plan instanceof SendPlan.Recurring recurring) {
            Instant from = recurring.startAt() == null ? now : max(now, recurring.startAt());
            return next(plan, from.minusMillis(1));
        }
        return null;
    }

    /** The fire time after {@code after}: none for ONE_TIME; the next cron time up to endAt for RECURRING. */
    public static Instant next(SendPlan plan, Instant after) {
        if (!(plan instanceof SendPlan.Recurring recurring)) {
            return null;
        }
        Instant fire = recurring.cron().next(after, recurring.timeZone());
        if (fire == null || (recurring.endAt() != null && fire.isAfter(recurring.endAt()))) {
            return null;
        }
        return fire;
    }

    private static Instant at(SendPlan.OneTime once) {
        if (once.sendAt() != null) {
            return once.sendAt();
        }
        if (once.localTime() == null) {
            return null;
        }
        ZoneId zone = SendPlan.USER_ZONE.equals(once.timeZone()) ? EARLIEST : ZoneId.of(once.timeZone());
        return once.localTime().atZone(zone).toInstant();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
