package dev.herald.campaign;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;


/** When ONE_TIME and RECURRING campaigns fire (contract section 2.1). */
public final class FireTimes {

    /** The zone furthest ahead: with {@code timeZone: "user"}, the run starts when the first users' local time comes. */
    private static final ZoneId EARLIEST = ZoneOffset.ofHours(14);

    private FireTimes() {
    }

    /** The first fire time of a campaign started at {@code now}; a time already past fires at once. Null: never. */
    public static Instant first(Campaign campaign, Instant now) {
        Delivery d = campaign.delivery();
        if (d.deliveryType() == DeliveryType.ONE_TIME) {
            Instant at = oneTime(d);
            return at == null || at.isBefore(now) ? now : at;
        }
        if (d.deliveryType() == DeliveryType.RECURRING) {
            Instant from = d.startAt() == null ? now : max(now, Instant.parse(d.startAt()));
            return next(campaign, from.minusMillis(1));
        }
        return null;
    }

    /** The fire time after {@code after}: none for ONE_TIME; the next cron time up to endAt for RECURRING. */
    public static Instant next(Campaign campaign, Instant after) {
        Delivery d = campaign.delivery();
        if (d.deliveryType() != DeliveryType.RECURRING) {
            return null;
        }
        Instant fire = Cron.parse(d.cron()).next(after, ZoneId.of(d.timeZone() == null ? "UTC" : d.timeZone()));
        if (fire == null || (d.endAt() != null && fire.isAfter(Instant.parse(d.endAt())))) {
            return null;
        }
        return fire;
    }

    private static Instant oneTime(Delivery d) {
        if (d.sendAt() != null) {
            return Instant.parse(d.sendAt());
        }
        if (d.localTime() == null) {
            return null;
        }
        LocalDateTime local = LocalDateTime.parse(d.localTime());
        try {
            ZoneId zone = "user".equals(d.timeZone()) ? EARLIEST : ZoneId.of(d.timeZone());
            return local.atZone(zone).toInstant();
        } catch (DateTimeException e) {
            return local.toInstant(ZoneOffset.UTC);
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
