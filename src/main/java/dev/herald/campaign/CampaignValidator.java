package dev.herald.campaign;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.CriteriaParser;
import dev.herald.destination.ActionUrl;
import dev.herald.destination.DestinationPolicy;
import dev.herald.platform.Ids;
import dev.herald.platform.Problems;
import dev.herald.template.WebhookTemplates;

/**
 * Checks a campaign request on save and fills in defaults. Every failure names its field, and all
 * failures are reported at once.
 */
@Singleton
public class CampaignValidator {

    static final int MAX_ACTIONS = 20;
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
    static final int MAX_ATTEMPTS = 100;

    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH", "GET", "DELETE");
    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final Set<String> DATA_TYPES = Set.of(JSON, FORM);
    private static final Set<String> BODY_TYPES = Set.of(JSON, FORM, "text/plain", "application/xml");
    private static final Pattern TOKEN = Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$");
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "content-type",
            "transfer-encoding", "connection", "user-agent", "upgrade", "te", "trailer", "keep-alive");
    private static final Pattern EXPRESSION = Pattern.compile("\\{[^{}]*\\}");
    private static final Pattern CLOCK_TIME = Pattern.compile("^([01]\\d|2[0-3]):[0-5]\\d$");

    private final WebhookTemplates templates;
    private final DestinationPolicy destinations;

    public CampaignValidator(WebhookTemplates templates, DestinationPolicy destinations) {
        this.templates = templates;
        this.destinations = destinations;
    }

    /** The request's content, checked and with defaults in place, ready to store. */
    public record Checked(String name, String description, JsonNode audience, Delivery delivery, JsonNode limits,
            JsonNode exitOn, List<Action> actions) {
    }

    /**
     * Checks a request. {@code existing} is the stored campaign on update: its action ids are
     * kept, and a masked signing secret sent back unchanged keeps the stored secret.
     */
    public Checked check(CampaignRequest request, Campaign existing) {
        Problems.Collector errors = new Problems.Collector();
        if (request == null) {
            errors.add("", "a JSON body is required");
            errors.throwIfAny();
        }
        String name = request.name() == null ? null : request.name().strip();
        if (name == null || name.isEmpty()) {
            errors.add("name", "is required");
        } else if (name.length() > 200) {
            errors.add("name", "must be at most 200 characters");
        }
        if (request.description() != null && request.description().length() > 2000) {
            errors.add("description", "must be at most 2000 characters");
        }
        CriteriaParser.parse(request.audience(), "audience", CriteriaParser.Use.AUDIENCE, errors);
        Delivery delivery = request.delivery() == null ? Delivery.manual() : request.delivery();
        delivery = checkDelivery(delivery, errors);
        checkLimits(request.limits(), errors);
        checkExitOn(request.exitOn(), errors);
        List<Action> actions = checkActions(request.actions(), existing, errors);
        errors.throwIfAny();
        return new Checked(name, request.description(), nullIfJsonNull(request.audience()), delivery,
                nullIfJsonNull(request.limits()), nullIfJsonNull(request.exitOn()), actions);
    }

    private static JsonNode nullIfJsonNull(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    // ---- delivery ------------------------------------------------------------------------------

    private Delivery checkDelivery(Delivery d, Problems.Collector errors) {
        String type = d.type() == null ? null : d.type().toUpperCase(Locale.ROOT);
        DeliveryType deliveryType;
        try {
            deliveryType = type == null ? null : DeliveryType.valueOf(type);
        } catch (IllegalArgumentException e) {
            deliveryType = null;
        }
        if (deliveryType == null) {
            errors.add("delivery.type", "must be one of MANUAL, ONE_TIME, RECURRING, TRIGGERED");
            return d;
        }
        String timeZone = d.timeZone();
        String delay = d.delay();
        switch (deliveryType) {
            case MANUAL -> {
                onlyFields(d, errors, Set.of());
            }
            case ONE_TIME -> {
                onlyFields(d, errors, Set.of("sendAt", "localTime", "timeZone", "defaultTimeZone"));
                instant("delivery.sendAt", d.sendAt(), errors);
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
                        zone("delivery.timeZone", timeZone, errors);
                    }
                    zone("delivery.defaultTimeZone", d.defaultTimeZone(), errors);
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
                zone("delivery.timeZone", timeZone, errors);
                Instant start = instant("delivery.startAt", d.startAt(), errors);
                Instant end = instant("delivery.endAt", d.endAt(), errors);
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
                    duration("delivery.offset", d.offset() == null ? "PT0S" : d.offset(), errors, true);
                } else {
                    if (d.offset() != null) {
                        errors.add("delivery.offset", "only applies with relativeTo");
                    }
                    delay = delay == null ? "PT0S" : delay;
                    duration("delivery.delay", delay, errors, false);
                }
            }
        }
        return new Delivery(deliveryType.name(), d.sendAt(), d.localTime(), timeZone, d.defaultTimeZone(), d.cron(),
                d.startAt(), d.endAt(), d.trigger(), delay, d.relativeTo(), d.offset());
    }

    private static void onlyFields(Delivery d, Problems.Collector errors, Set<String> allowed) {
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

    // ---- limits and exit -----------------------------------------------------------------------

    private static void checkLimits(JsonNode limits, Problems.Collector errors) {
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
                    duration("limits.perUser.window", window.isTextual() ? window.asText() : "?", errors, false);
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
                    zone("limits.quietHours.timeZone", zone.asText(), errors);
                }
            }
        }
    }

    private static void checkExitOn(JsonNode exitOn, Problems.Collector errors) {
        if (exitOn == null || exitOn.isNull()) {
            return;
        }
        if (!exitOn.isObject() || !exitOn.hasNonNull("event") || !exitOn.get("event").isTextual()
                || exitOn.get("event").asText().isBlank() || exitOn.size() != 1) {
            errors.add("exitOn", "must be {\"event\": \"name\"} or null");
        }
    }

    // ---- actions -------------------------------------------------------------------------------

    private List<Action> checkActions(List<Action> actions, Campaign existing, Problems.Collector errors) {
        if (actions == null || actions.isEmpty()) {
            errors.add("actions", "must hold 1 to " + MAX_ACTIONS + " actions");
            return List.of();
        }
        if (actions.size() > MAX_ACTIONS) {
            errors.add("actions", "must hold at most " + MAX_ACTIONS + " actions, found " + actions.size());
        }
        List<Action> checked = new ArrayList<>(actions.size());
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < actions.size(); i++) {
            Action action = actions.get(i);
            String at = "actions[" + i + "]";
            if (action == null) {
                errors.add(at, "must be an action object");
                continue;
            }
            Action stored = existing == null || action.id() == null ? null : existing.action(action.id());
            UUID id = stored != null && seen.add(stored.id()) ? stored.id() : Ids.newId();
            checked.add(checkAction(action, stored, id, at, errors));
        }
        return checked;
    }

    private Action checkAction(Action a, Action stored, UUID id, String at, Problems.Collector errors) {
        String type = a.type() == null ? "WEBHOOK" : a.type().toUpperCase(Locale.ROOT);
        if (!type.equals("WEBHOOK")) {
            errors.add(at + ".type", "must be WEBHOOK");
        }
        if (a.name() != null && a.name().length() > 200) {
            errors.add(at + ".name", "must be at most 200 characters");
        }
        String delay = a.delay() == null ? "PT0S" : a.delay();
        duration(at + ".delay", delay, errors, false);
        CriteriaParser.parse(a.condition(), at + ".condition", CriteriaParser.Use.CONDITION, errors);

        String method = a.method() == null ? "POST" : a.method().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            errors.add(at + ".method", "must be one of POST, PUT, PATCH, GET, DELETE");
        }
        // A masked URL sent back unchanged keeps the stored password, as a masked secret does.
        String url = stored != null && a.url() != null && !a.url().equals(stored.url())
                && a.url().equals(ActionUrl.maskPassword(stored.url())) ? stored.url() : a.url();
        checkUrl(url, at + ".url", errors);

        boolean hasData = a.data() != null && !a.data().isNull();
        boolean hasBody = a.body() != null;
        String contentType = a.contentType() == null ? JSON : a.contentType().toLowerCase(Locale.ROOT).trim();
        if (hasData && hasBody) {
            errors.add(at + ".body", "data and body are exclusive: set one of them");
        }
        if (hasBody ? !BODY_TYPES.contains(contentType) : !DATA_TYPES.contains(contentType)) {
            errors.add(at + ".contentType", hasBody
                    ? "must be application/json, application/x-www-form-urlencoded, text/plain or application/xml"
                    : "must be application/json or application/x-www-form-urlencoded (text/plain and application/xml need a raw body)");
        }
        if (hasData) {
            if (!a.data().isObject()) {
                errors.add(at + ".data", "must be an object of names to values");
            } else {
                checkDataTemplates(a.data(), at + ".data", errors);
            }
        }
        if (hasBody) {
            if (a.body().length() > 256 * 1024) {
                errors.add(at + ".body", "must be at most 256 KiB");
            }
            syntax(a.body(), at + ".body", errors);
        }
        if (hasBody && (method.equals("GET") || method.equals("DELETE"))) {
            errors.add(at + ".body", "a " + method + " request has no body; use data, which goes into the query string");
        }
        Map<String, String> headers = checkHeaders(a.headers(), url, at, errors);
        String secret = checkSecret(a.signingSecret(), stored, at + ".signingSecret", errors);

        String timeout = a.timeout() == null ? Action.DEFAULT_TIMEOUT : a.timeout();
        Duration parsedTimeout = duration(at + ".timeout", timeout, errors, false);
        if (parsedTimeout != null && (parsedTimeout.isZero() || parsedTimeout.compareTo(MAX_TIMEOUT) > 0)) {
            errors.add(at + ".timeout", "must be more than zero and at most PT60S");
        }
        if (a.maxAttempts() != null && (a.maxAttempts() < 1 || a.maxAttempts() > MAX_ATTEMPTS)) {
            errors.add(at + ".maxAttempts", "must be between 1 and " + MAX_ATTEMPTS + ", or null for the default");
        }
        return new Action(id, type, a.name(), delay, nullIfJsonNull(a.condition()), method, url, contentType,
                hasData ? a.data() : null, a.body(), headers, secret, timeout, a.maxAttempts());
    }

    private void checkUrl(String url, String field, Problems.Collector errors) {
        if (url == null || url.isBlank()) {
            errors.add(field, "is required: an absolute http or https URL");
            return;
        }
        if (url.length() > 8192) {
            errors.add(field, "must be at most 8192 characters");
            return;
        }
        String problem = ActionUrl.problem(url);
        if (problem != null) {
            errors.add(field, problem);
            return;
        }
        destinations.literalProblem(ActionUrl.parse(url).host()).ifPresent(p -> errors.add(field, p));
        String literal = EXPRESSION.matcher(url).replaceAll("");
        if (literal.chars().anyMatch(Character::isWhitespace)) {
            errors.add(field, "must not contain spaces outside templates; percent-encode them as %20");
        }
        syntax(url, field, errors);
    }

    private void checkDataTemplates(JsonNode node, String at, Problems.Collector errors) {
        if (node.isTextual()) {
            syntax(node.asText(), at, errors);
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> checkDataTemplates(e.getValue(), at + "." + e.getKey(), errors));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkDataTemplates(node.get(i), at + "[" + i + "]", errors);
            }
        }
    }

    private Map<String, String> checkHeaders(Map<String, String> headers, String url, String at,
            Problems.Collector errors) {
        if (headers == null) {
            return Map.of();
        }
        Map<String, String> checked = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        boolean urlHasCredentials = url != null && ActionUrl.problem(url) == null && ActionUrl.parse(url).hasUserInfo();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String name = header.getKey();
            String field = at + ".headers." + name;
            String lower = name.toLowerCase(Locale.ROOT);
            if (!TOKEN.matcher(name).matches()) {
                errors.add(field, "is not a valid header name");
            } else if (RESERVED_HEADERS.contains(lower)) {
                errors.add(field, lower.equals("content-type") ? "is set by contentType; use that field"
                        : "is set by Herald and cannot be overridden");
            } else if (lower.startsWith("webhook-")) {
                errors.add(field, "webhook-* headers are Herald's Standard Webhooks headers and cannot be set");
            } else if (lower.equals("authorization") && urlHasCredentials) {
                errors.add(field, "conflicts with the user:password in the URL; use one or the other");
            } else if (!seen.add(lower)) {
                errors.add(field, "is set twice (header names are case-insensitive)");
            }
            String value = header.getValue();
            if (value == null) {
                errors.add(field, "must be a string");
                continue;
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                errors.add(field, "must not contain line breaks");
            } else if (value.length() > 8192) {
                errors.add(field, "must be at most 8192 characters");
            } else {
                syntax(value, field, errors);
            }
            checked.put(name, value);
        }
        return checked;
    }

    private static String checkSecret(String secret, Action stored, String field, Problems.Collector errors) {
        if (secret == null) {
            return null;
        }
        if (stored != null && stored.signingSecret() != null && secret.equals(Action.maskSecret(stored.signingSecret()))) {
            return stored.signingSecret();
        }
        if (!secret.startsWith(Action.SECRET_PREFIX)) {
            errors.add(field, "must be whsec_ followed by the base64 of 24 to 64 random bytes");
            return secret;
        }
        try {
            int length = Base64.getDecoder().decode(secret.substring(Action.SECRET_PREFIX.length())).length;
            if (length < 24 || length > 64) {
                errors.add(field, "must encode 24 to 64 bytes, found " + length);
            }
        } catch (IllegalArgumentException e) {
            errors.add(field, "the part after whsec_ must be standard base64");
        }
        return secret;
    }

    private void syntax(String template, String field, Problems.Collector errors) {
        templates.problem(template).ifPresent(problem -> errors.add(field, problem));
    }

    private static Instant instant(String field, String value, Problems.Collector errors) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeException e) {
            errors.add(field, "must be an ISO-8601 instant in UTC, such as 2026-12-01T09:00:00Z");
            return null;
        }
    }

    private static void zone(String field, String value, Problems.Collector errors) {
        if (value != null && !ZoneId.getAvailableZoneIds().contains(value) && !value.equals("UTC")) {
            errors.add(field, "must be an IANA time zone such as Europe/Berlin");
        }
    }

    /** Past this, due times leave the range of dates the database keeps. */
    static final Duration LONGEST_DURATION = Duration.ofDays(3650);

    static Duration duration(String field, String value, Problems.Collector errors, boolean mayBeNegative) {
        try {
            Duration duration = Duration.parse(value);
            if (duration.isNegative() && !mayBeNegative) {
                errors.add(field, "must not be negative");
            } else if (duration.abs().compareTo(LONGEST_DURATION) > 0) {
                errors.add(field, "must be at most " + LONGEST_DURATION + " (ten years)");
            }
            return duration;
        } catch (DateTimeException e) {
            errors.add(field, "must be an ISO-8601 duration such as PT10M or P1D");
            return null;
        }
    }
}
