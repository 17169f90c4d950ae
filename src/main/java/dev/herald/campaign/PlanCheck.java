package dev.herald.campaign;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.CriteriaParser;
import dev.herald.platform.Problems;

/** Checks a campaign's {@code delivery} object and fills in its defaults (part of {@link CampaignValidator}). */
final class PlanCheck {

    private PlanCheck() {
    }

    static PlanFields check(PlanFields d, Problems.Collector errors) {
        String type = d.type() == null ? null : d.type().toUpperCase(Locale.ROOT);
        PlanType planType;
        try {
            planType = type == null ? null : PlanType.valueOf(type);
        } catch (IllegalArgumentException e) {
            planType = null;
        }
        if (planType == null) {
            errors.add("delivery.type", "must be one of MANUAL, ONE_TIME, RECURRING, TRIGGERED");
            return d;
        }
        String timeZone = d.timeZone();
        String delay = d.delay();
        switch (planType) {
            case MANUAL -> {
                onlyFields(d, errors, Set.of());
            }
            case ONE_TIME -> {
                onlyFields(d, errors, Set.of("sendAt", "localTime", "timeZone", "defaultTimeZone"));
                Checks.instant("delivery.sendAt", d.sendAt(), errors);
                if (d.sendAt() != null && d.localTime() != null) {
                    errors.add("delivery.localTime", "set either sendAt or localTime, not both");
                }
                if (d.localTime() != null) {
                    try {
                        LocalDateTime.parse(d.localTime());
                    } catch (DateTimeException e) {
                        errors.add("delivery.localTime", "must be a local date and time such as 2026-12-01T09:00");
                    }
                    if (timeZone == null) {
                        errors.add("delivery.timeZone", "is required with localTime: an IANA name or \"user\"");
                    } else if (!timeZone.equals("user")) {
                        Checks.zone("delivery.timeZone", timeZone, errors);
                    }
                    Checks.zone("delivery.defaultTimeZone", d.defaultTimeZone(), errors);
                } else if (timeZone != null || d.defaultTimeZone() != null) {
                    errors.add("delivery.timeZone", "only applies with localTime");
                }
            }
            case RECURRING -> {
                onlyFields(d, errors, Set.of("cron", "timeZone", "startAt", "endAt"));
                if (d.cron() == null || d.cron().isBlank()) {
                    errors.add("delivery.cron", "is required: five fields, minute hour day-of-month month day-of-week");
                } else {
                    try {
                        Cron.parse(d.cron());
                    } catch (IllegalArgumentException e) {
                        errors.add("delivery.cron", e.getMessage());
                    }
                }
                timeZone = timeZone == null ? "UTC" : timeZone;
                Checks.zone("delivery.timeZone", timeZone, errors);
                Instant start = Checks.instant("delivery.startAt", d.startAt(), errors);
                Instant end = Checks.instant("delivery.endAt", d.endAt(), errors);
                if (start != null && end != null && !end.isAfter(start)) {
                    errors.add("delivery.endAt", "must be after startAt");
                }
            }
            case TRIGGERED -> {
                onlyFields(d, errors, Set.of("trigger", "delay", "relativeTo", "offset"));
                checkTrigger(d.trigger(), errors);
                if (d.relativeTo() != null) {
                    if (delay != null) {
                        errors.add("delivery.delay", "set either delay or relativeTo with offset, not both");
                    }
                    if (!d.relativeTo().matches("^(event\\.params|user)\\.[^.\\s]+$")) {
                        errors.add("delivery.relativeTo",
                                "must name an event parameter (event.params.NAME) or a user attribute (user.NAME)");
                    }
                    Checks.duration("delivery.offset", d.offset() == null ? "PT0S" : d.offset(), errors, true);
                } else {
                    if (d.offset() != null) {
                        errors.add("delivery.offset", "only applies with relativeTo");
                    }
                    delay = delay == null ? "PT0S" : delay;
                    Checks.duration("delivery.delay", delay, errors, false);
                }
            }
        }
        return new PlanFields(planType.name(), d.sendAt(), d.localTime(), timeZone, d.defaultTimeZone(), d.cron(),
                d.startAt(), d.endAt(), d.trigger(), delay, d.relativeTo(), d.offset());
    }

    private static void onlyFields(PlanFields d, Problems.Collector errors, Set<String> allowed) {
        Map<String, Object> present = new LinkedHashMap<>();
        present.put("sendAt", d.sendAt());
        present.put("localTime", d.localTime());
        present.put("timeZone", d.timeZone());
        present.put("defaultTimeZone", d.defaultTimeZone());
        present.put("cron", d.cron());
        present.put("startAt", d.startAt());
        present.put("endAt", d.endAt());
        present.put("trigger", d.trigger() == null || d.trigger().isNull() ? null : d.trigger());
        present.put("delay", d.delay());
        present.put("relativeTo", d.relativeTo());
        present.put("offset", d.offset());
        present.forEach((field, value) -> {
            if (value != null && !allowed.contains(field)) {
                errors.add("delivery." + field, "does not apply to delivery type " + d.type().toUpperCase(Locale.ROOT));
            }
        });
    }

    private static void checkTrigger(JsonNode trigger, Problems.Collector errors) {
        if (trigger == null || !trigger.isObject()) {
            errors.add("delivery.trigger", "is required: {\"event\": \"name\"} or {\"attributeChanged\": \"name\"}");
            return;
        }
        boolean event = trigger.hasNonNull("event");
        boolean attribute = trigger.hasNonNull("attributeChanged");
        if (event == attribute) {
            errors.add("delivery.trigger", "must have exactly one of event or attributeChanged");
            return;
        }
        Iterator<String> names = trigger.fieldNames();
        Set<String> allowed = event ? Set.of("event", "where") : Set.of("attributeChanged", "to");
        while (names.hasNext()) {
            String field = names.next();
            if (!allowed.contains(field)) {
                errors.add("delivery.trigger." + field, "is not a field of this trigger");
            }
        }
        JsonNode name = event ? trigger.get("event") : trigger.get("attributeChanged");
        String field = event ? "delivery.trigger.event" : "delivery.trigger.attributeChanged";
        if (!name.isTextual() || name.asText().isBlank() || name.asText().length() > 128) {
            errors.add(field, "must be a name of 1 to 128 characters");
        }
        if (event) {
            CriteriaParser.parse(trigger.get("where"), "delivery.trigger.where", CriteriaParser.Use.WHERE, errors);
        }
    }

}
