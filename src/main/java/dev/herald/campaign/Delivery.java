package dev.herald.campaign;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A campaign's delivery method. Times and durations stay strings as the client wrote them, so a
 * bad one is reported against its field rather than as unreadable JSON.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Delivery(
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

    public static Delivery manual() {
        return new Delivery("MANUAL", null, null, null, null, null, null, null, null, null, null, null);
    }

    public DeliveryType deliveryType() {
        return DeliveryType.valueOf(type);
    }
}
