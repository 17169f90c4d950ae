package dev.herald.campaign;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
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
 * Checks a campaign's actions and fills in their defaults (part of {@link CampaignValidator}): an
 * action that passes is parsed into an {@link Action}.
 */
@Singleton
class ActionCheck {

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

    private final WebhookTemplates templates;
    private final DestinationPolicy destinations;

    ActionCheck(WebhookTemplates templates, DestinationPolicy destinations) {
        this.templates = templates;
        this.destinations = destinations;
    }

    List<Action> check(List<ActionRequest> actions, Campaign existing, Problems.Collector errors) {
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
            ActionRequest action = actions.get(i);
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

    private Action checkAction(ActionRequest a, Action stored, UUID id, String at, Problems.Collector errors) {
        int before = errors.size();
        String type = a.type() == null ? "WEBHOOK" : a.type().toUpperCase(Locale.ROOT);
        if (!type.equals("WEBHOOK")) {
            errors.add(at + ".type", "must be WEBHOOK");
        }
        if (a.name() != null && a.name().length() > 200) {
            errors.add(at + ".name", "must be at most 200 characters");
        }
        String delay = a.delay() == null ? "PT0S" : a.delay();
        Checks.duration(at + ".delay", delay, errors, false);
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
        Duration parsedTimeout = Checks.duration(at + ".timeout", timeout, errors, false);
        if (parsedTimeout != null && (parsedTimeout.isZero() || parsedTimeout.compareTo(MAX_TIMEOUT) > 0)) {
            errors.add(at + ".timeout", "must be more than zero and at most PT60S");
        }
        if (a.maxAttempts() != null && (a.maxAttempts() < 1 || a.maxAttempts() > MAX_ATTEMPTS)) {
            errors.add(at + ".maxAttempts", "must be between 1 and " + MAX_ATTEMPTS + ", or null for the default");
        }
        if (errors.size() > before) {
            return null;
        }
        return new Action(id, type, a.name(), delay, CampaignValidator.nullIfJsonNull(a.condition()), method, url, contentType,
                hasData ? a.data() : null, a.body(), headers, secret, timeout, a.maxAttempts(), null);
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

}
