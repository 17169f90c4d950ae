package dev.herald.campaign;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A campaign's {@code delivery} object as the client wrote it and as it is stored and shown:
 * times and durations stay strings, so a bad one is reported against its field rather than as
 * unreadable JSON, and reads give back what was written. {@link SendPlan} is what it means.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanFields(
        String type,
        String sendAt,
        String localTime,
        String timeZone,
        String defaultTimeZone,
        String cron,
        String startAt,
        String endAt,
        JsonNode trigger,
        String delay,
        String relativeTo,
        String offset) {

    public static PlanFields manual() {
        return new PlanFields("MANUAL", null, null, null, null, null, null, null, null, null, null, null);
    }
}
