package dev.herald.dispatch;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.herald.delivery.DeliveryReason;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.delivery.RenderedRequest;

/** The outcome of a test send: the request as sent (credentials masked) and what came back. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TestSendResult(
        UUID deliveryId,
        DeliveryStatus status,
        DeliveryReason reason,
        RenderedRequest request,
        Integer responseStatus,
        Map<String, String> responseHeaders,
        String responseBody,
        int latencyMs,
        String error) {
}
