package dev.herald.support;

import static dev.herald.support.Http.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Campaign request bodies for tests, typed: the contract's field names are checked by the
 * compiler instead of spelled in maps. Tests of malformed input write their JSON by hand.
 */
public final class Campaigns {

    private Campaigns() {
    }

    /** A MANUAL campaign of these actions. */
    public static Body campaign(String name, Webhook... actions) {
        return new Body(name, null, null, Plan.manual(), null, null, List.of(actions));
    }

    /** A webhook action to {@code url}, with the contract's defaults for everything else. */
    public static Webhook webhook(String url) {
        return new Webhook(url, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The body of {@code POST /campaigns}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Body(String name, String description, Object audience, Plan delivery, Limits limits,
            Map<String, String> exitOn, List<Webhook> actions) {

        public Body withAudience(Object criteria) {
            return new Body(name, description, criteria, delivery, limits, exitOn, actions);
        }

        public Body withPlan(Plan plan) {
            return new Body(name, description, audience, plan, limits, exitOn, actions);
        }

        public Body withLimits(Limits newLimits) {
            return new Body(name, description, audience, delivery, newLimits, exitOn, actions);
        }

        public Body exitingOn(String event) {
            return new Body(name, description, audience, delivery, limits, Map.of("event", event), actions);
        }

        /** Creates the campaign (DRAFT) and returns its id. */
        public String create() {
            return admin().body(this).post("/api/v1/campaigns").then().statusCode(201).extract().path("id");
        }

        /** Creates and starts the campaign, and returns its id. */
        public String start() {
            String id = create();
            admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200);
            return id;
        }
    }

    /** One action of a campaign request (contract section 2.4). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Webhook(String url, String name, String method, String delay, String contentType, Object data,
            String body, Map<String, String> headers, Object condition, String timeout, Integer maxAttempts,
            String signingSecret) {

        public Webhook withName(String value) {
            return new Webhook(url, value, method, delay, contentType, data, body, headers, condition, timeout,
                    maxAttempts, signingSecret);
        }

        public Webhook withMethod(String value) {
            return new Webhook(url, name, value, delay, contentType, data, body, headers, condition, timeout,
                    maxAttempts, signingSecret);
        }

        public Webhook withDelay(String value) {
            return new Webhook(url, name, method, value, contentType, data, body, headers, condition, timeout,
                    maxAttempts, signingSecret);
        }

        public Webhook withContentType(String value) {
            return new Webhook(url, name, method, delay, value, data, body, headers, condition, timeout,
                    maxAttempts, signingSecret);
        }

        public Webhook withData(Object value) {
            return new Webhook(url, name, method, delay, contentType, value, body, headers, condition, timeout,
                    maxAttempts, signingSecret);
        }

        public Webhook withBody(String value) {
            return new Webhook(url, name, method, delay, contentType, data, value, headers, condition, timeout,
                    maxAttempts, signingSecret);
        }

        public Webhook withHeaders(Map<String, String> value) {
            return new Webhook(url, name, method, delay, contentType, data, body, value, condition, timeout,
                    maxAttempts, signingSecret);
        }

        public Webhook withHeader(String header, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers == null ? Map.of() : headers);
            more.put(header, value);
            return withHeaders(more);
        }

        public Webhook withCondition(Object value) {
            return new Webhook(url, name, method, delay, contentType, data, body, headers, value, timeout,
                    maxAttempts, signingSecret);
        }

        public Webhook withTimeout(String value) {
            return new Webhook(url, name, method, delay, contentType, data, body, headers, condition, value,
                    maxAttempts, signingSecret);
        }

        public Webhook withMaxAttempts(Integer value) {
            return new Webhook(url, name, method, delay, contentType, data, body, headers, condition, timeout,
                    value, signingSecret);
        }

        public Webhook withSigningSecret(String value) {
            return new Webhook(url, name, method, delay, contentType, data, body, headers, condition, timeout,
                    maxAttempts, value);
        }
    }

    /** A campaign's {@code delivery} (contract section 2.1). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Plan(String type, String sendAt, String localTime, String timeZone, String defaultTimeZone,
            String cron, String startAt, String endAt, Trigger trigger, String delay, String relativeTo,
            String offset) {

        public static Plan manual() {
            return new Plan("MANUAL", null, null, null, null, null, null, null, null, null, null, null);
        }

        /** ONE_TIME with neither sendAt nor localTime: it fires as soon as it is started. */
        public static Plan once() {
            return new Plan("ONE_TIME", null, null, null, null, null, null, null, null, null, null, null);
        }

        public static Plan sendAt(Instant at) {
            return new Plan("ONE_TIME", at.toString(), null, null, null, null, null, null, null, null, null, null);
        }

        /** ONE_TIME at a local time in {@code timeZone} (an IANA name, or "user"). */
        public static Plan localTime(String localTime, String timeZone) {
            return new Plan("ONE_TIME", null, localTime, timeZone, null, null, null, null, null, null, null, null);
        }

        public static Plan recurring(String cron) {
            return new Plan("RECURRING", null, null, null, null, cron, null, null, null, null, null, null);
        }

        public static Plan onEvent(String event) {
            return triggered(new Trigger(event, null, null, null));
        }

        public static Plan onAttributeChange(String attribute) {
            return triggered(new Trigger(null, null, attribute, null));
        }

        private static Plan triggered(Trigger trigger) {
            return new Plan("TRIGGERED", null, null, null, null, null, null, null, trigger, null, null, null);
        }

        public Plan withTimeZone(String zone) {
            return new Plan(type, sendAt, localTime, zone, defaultTimeZone, cron, startAt, endAt, trigger, delay,
                    relativeTo, offset);
        }

        public Plan withDefaultTimeZone(String zone) {
            return new Plan(type, sendAt, localTime, timeZone, zone, cron, startAt, endAt, trigger, delay,
                    relativeTo, offset);
        }

        public Plan between(Instant start, Instant end) {
            return new Plan(type, sendAt, localTime, timeZone, defaultTimeZone, cron,
                    start == null ? null : start.toString(), end == null ? null : end.toString(), trigger, delay,
                    relativeTo, offset);
        }

        public Plan where(Object criteria) {
            return new Plan(type, sendAt, localTime, timeZone, defaultTimeZone, cron, startAt, endAt,
                    new Trigger(trigger.event(), criteria, trigger.attributeChanged(), trigger.to()), delay,
                    relativeTo, offset);
        }

        public Plan to(Object value) {
            return new Plan(type, sendAt, localTime, timeZone, defaultTimeZone, cron, startAt, endAt,
                    new Trigger(trigger.event(), trigger.where(), trigger.attributeChanged(), value), delay,
                    relativeTo, offset);
        }

        public Plan withDelay(String value) {
            return new Plan(type, sendAt, localTime, timeZone, defaultTimeZone, cron, startAt, endAt, trigger, value,
                    relativeTo, offset);
        }

        /** Due at the instant in {@code reference} (event.params.NAME or user.NAME) plus {@code offsetBy}. */
        public Plan relativeTo(String reference, String offsetBy) {
            return new Plan(type, sendAt, localTime, timeZone, defaultTimeZone, cron, startAt, endAt, trigger, delay,
                    reference, offsetBy);
        }
    }

    /** What starts a triggered campaign. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Trigger(String event, Object where, String attributeChanged, Object to) {
    }

    /** A campaign's {@code limits} (contract section 2.3). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Limits(PerUser perUser, Integer maxPerMinute, QuietHours quietHours) {

        /** At most {@code max} entries per user in {@code window} (null: ever). */
        public static Limits perUser(int max, String window) {
            return new Limits(new PerUser(max, window), null, null);
        }

        public static Limits maxPerMinute(int perMinute) {
            return new Limits(null, perMinute, null);
        }

        public static Limits quietHours(String start, String end, String timeZone) {
            return new Limits(null, null, new QuietHours(start, end, timeZone));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PerUser(int max, String window) {
    }

    public record QuietHours(String start, String end, String timeZone) {
    }
}
