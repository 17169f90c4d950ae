package dev.herald.campaign;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.user.User;

/**
 * A campaign's quiet hours ({@code limits.quietHours}): a webhook due inside them waits until
 * they end. The window may cross midnight (22:00 to 08:00); its zone is fixed, or each user's
 * {@code timeZone} attribute (UTC when absent or unknown).
 */
public record QuietHours(LocalTime start, LocalTime end, String zone) {

    /** {@code limits.quietHours} as stored (checked when saved), or null when there are none. */
    static QuietHours of(JsonNode quiet) {
        if (quiet == null || quiet.isNull()) {
            return null;
        }
        return new QuietHours(LocalTime.parse(quiet.get("start").asText()), LocalTime.parse(quiet.get("end").asText()),
                quiet.get("timeZone").asText());
    }

    /** When the quiet hours around {@code at} end for this user; null when {@code at} is not inside them. */
    public Instant endAround(Instant at, User user) {
        ZoneId zoneId = zoneFor(user);
        LocalDateTime local = LocalDateTime.ofInstant(at, zoneId);
        LocalTime time = local.toLocalTime();
        LocalDateTime endsAt;
        if (start.isBefore(end)) {
            if (time.isBefore(start) || !time.isBefore(end)) {
                return null;
            }
            endsAt = local.toLocalDate().atTime(end);
        } else if (start.isAfter(end)) {
            if (time.isBefore(start) && !time.isBefore(end)) {
                return null;
            }
            endsAt = time.isBefore(end) ? local.toLocalDate().atTime(end) : local.toLocalDate().plusDays(1).atTime(end);
        } else {
            return null;
        }
        return endsAt.atZone(zoneId).toInstant();
    }

    private ZoneId zoneFor(User user) {
        String name = zone;
        if ("user".equals(zone)) {
            JsonNode attribute = user == null ? null : user.attributes().get("timeZone");
            name = attribute == null || !attribute.isTextual() ? "UTC" : attribute.asText();
        }
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            return ZoneOffset.UTC;
        }
    }
}
