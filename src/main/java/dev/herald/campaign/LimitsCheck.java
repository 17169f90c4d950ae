package dev.herald.campaign;

import java.time.LocalTime;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.platform.Problems;

/** Checks a campaign's {@code limits} and {@code exitOn} (part of {@link CampaignValidator}). */
final class LimitsCheck {

    private static final Pattern CLOCK_TIME = Pattern.compile("^([01]\\d|2[0-3]):[0-5]\\d$");

    private LimitsCheck() {
    }

    static void checkLimits(JsonNode limits, Problems.Collector errors) {
        if (limits == null || limits.isNull()) {
            return;
        }
        if (!limits.isObject()) {
            errors.add("limits", "must be an object");
            return;
        }
        limits.fieldNames().forEachRemaining(field -> {
            if (!Set.of("perUser", "maxPerMinute", "quietHours").contains(field)) {
                errors.add("limits." + field, "is not a limit; use perUser, maxPerMinute or quietHours");
            }
        });
        JsonNode perUser = limits.get("perUser");
        if (perUser != null && !perUser.isNull()) {
            if (!perUser.isObject()) {
                errors.add("limits.perUser", "must be an object {\"max\": n, \"window\": duration or null}");
            } else {
                JsonNode max = perUser.get("max");
                if (max == null || !max.canConvertToInt() || !max.isIntegralNumber() || max.asInt() < 1) {
                    errors.add("limits.perUser.max", "must be a whole number of at least 1");
                }
                JsonNode window = perUser.get("window");
                if (window != null && !window.isNull()) {
                    Checks.duration("limits.perUser.window", window.isTextual() ? window.asText() : "?", errors, false);
                }
            }
        }
        JsonNode perMinute = limits.get("maxPerMinute");
        if (perMinute != null && !perMinute.isNull()
                && (!perMinute.isIntegralNumber() || !perMinute.canConvertToInt() || perMinute.asInt() < 1)) {
            errors.add("limits.maxPerMinute", "must be a whole number of at least 1, or null");
        }
        JsonNode quiet = limits.get("quietHours");
        if (quiet != null && !quiet.isNull()) {
            if (!quiet.isObject()) {
                errors.add("limits.quietHours", "must be an object {\"start\": \"22:00\", \"end\": \"08:00\", \"timeZone\": ...}");
            } else {
                for (String edge : List.of("start", "end")) {
                    JsonNode value = quiet.get(edge);
                    if (value == null || !value.isTextual() || !CLOCK_TIME.matcher(value.asText()).matches()) {
                        errors.add("limits.quietHours." + edge, "must be a time of day such as 22:00");
                    } else {
                        LocalTime.parse(value.asText());
                    }
                }
                JsonNode zone = quiet.get("timeZone");
                if (zone == null || !zone.isTextual()) {
                    errors.add("limits.quietHours.timeZone", "is required: an IANA name or \"user\"");
                } else if (!zone.asText().equals("user")) {
                    Checks.zone("limits.quietHours.timeZone", zone.asText(), errors);
                }
            }
        }
    }

    static void checkExitOn(JsonNode exitOn, Problems.Collector errors) {
        if (exitOn == null || exitOn.isNull()) {
            return;
        }
        if (!exitOn.isObject() || !exitOn.hasNonNull("event") || !exitOn.get("event").isTextual()
                || exitOn.get("event").asText().isBlank() || exitOn.size() != 1) {
            errors.add("exitOn", "must be {\"event\": \"name\"} or null");
        }
    }

}
