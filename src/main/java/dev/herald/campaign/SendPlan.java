package dev.herald.campaign;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.Criteria;
import dev.herald.audience.CriteriaParser;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * How a campaign is sent (its {@code delivery} object, contract section 2.1), parsed: manual,
 * once, on a schedule, or when a user does something. Each keeps the fields as written, which is
 * what the API shows and the database stores.
 */
public sealed interface SendPlan {

    /** The {@code timeZone} of a ONE_TIME plan sent at each user's own local time. */
    String USER_ZONE = "user";

    /** The {@code delivery} object as written. */
    PlanFields fields();

    PlanType type();

    /** ONE_TIME and RECURRING plans fire on a schedule. */
    default boolean scheduled() {
        return this instanceof OneTime || this instanceof Recurring;
    }

    /** Sent when asked ({@code POST /campaigns/{id}/send}). */
    @RegisterForReflection
    record Manual(@JsonValue PlanFields fields) implements SendPlan {

        public PlanType type() {
            return PlanType.MANUAL;
        }
    }

    /**
     * Sent once: at {@code sendAt}, or at {@code localTime} in {@code timeZone}, which is an IANA
     * zone or {@code "user"} (each user's timeZone attribute, else {@code defaultTimeZone}).
     */
    @RegisterForReflection
    record OneTime(@JsonValue PlanFields fields, Instant sendAt, LocalDateTime localTime, String timeZone,
            ZoneId defaultTimeZone) implements SendPlan {

        public PlanType type() {
            return PlanType.ONE_TIME;
        }

        /** Whether each user gets it at their own local time. */
        public boolean atEachUsersLocalTime() {
            return localTime != null && USER_ZONE.equals(timeZone);
        }
    }

    /** Sent at every fire time of {@code cron} in {@code timeZone}, from {@code startAt} to {@code endAt} if set. */
    @RegisterForReflection
    record Recurring(@JsonValue PlanFields fields, Cron cron, ZoneId timeZone, Instant startAt, Instant endAt)
            implements SendPlan {

        public PlanType type() {
            return PlanType.RECURRING;
        }
    }

    /**
     * Sent to a user when its trigger fires: after {@code delay}, or at the instant held in
     * {@code relativeTo} (an event parameter or user attribute) plus {@code offset}.
     */
    @RegisterForReflection
    record Triggered(@JsonValue PlanFields fields, Trigger trigger, Duration delay, String relativeTo,
            Duration offset) implements SendPlan {

        public PlanType type() {
            return PlanType.TRIGGERED;
        }
    }

    /** What starts a triggered campaign's entry. */
    sealed interface Trigger {
    }

    /** An event of this name, for which {@code where} holds. */
    record OnEvent(String event, Criteria where) implements Trigger {
    }

    /** A change of this attribute; to {@code to} only, when it is set. */
    record OnAttribute(String attribute, JsonNode to) implements Trigger {
    }

    /** The plan of fields already checked (on save, or as stored). */
    static SendPlan of(PlanFields f) {
        return switch (PlanType.valueOf(f.type())) {
            case MANUAL -> new Manual(f);
            case ONE_TIME -> new OneTime(f, f.sendAt() == null ? null : Instant.parse(f.sendAt()),
                    f.localTime() == null ? null : LocalDateTime.parse(f.localTime()), f.timeZone(),
                    ZoneId.of(f.defaultTimeZone() == null ? "UTC" : f.defaultTimeZone()));
            case RECURRING -> new Recurring(f, Cron.parse(f.cron()), ZoneId.of(f.timeZone() == null ? "UTC" : f.timeZone()),
                    f.startAt() == null ? null : Instant.parse(f.startAt()),
                    f.endAt() == null ? null : Instant.parse(f.endAt()));
            case TRIGGERED -> new Triggered(f, storedTrigger(f.trigger()),
                    f.relativeTo() == null ? Duration.parse(f.delay() == null ? "PT0S" : f.delay()) : null,
                    f.relativeTo(), f.relativeTo() == null ? null
                            : Duration.parse(f.offset() == null ? "PT0S" : f.offset()));
        };
    }

    private static Trigger storedTrigger(JsonNode spec) {
        if (spec.hasNonNull("event")) {
            return new OnEvent(spec.get("event").asText(),
                    CriteriaParser.parseStored(spec.get("where"), CriteriaParser.Use.WHERE));
        }
        return new OnAttribute(spec.get("attributeChanged").asText(), spec.get("to"));
    }
}
