package dev.herald.delivery;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The outcome of a test send: the request as sent (credentials masked) and what came back. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TestSendResult(
        UUID deliveryId,
        DeliveryStatus status,
        String reason,
        RenderedRequest request,
        Integer responseStatus,
        Map<String, String> responseHeaders,
        String responseBody,
        int latencyMs,
        String error) {
}
