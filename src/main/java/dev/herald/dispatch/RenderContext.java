package dev.herald.dispatch;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** What a delivery's templates may see when it is rendered (contract section 6). */
public record RenderContext(
        String userId,
        Map<String, Object> attributes,
        Map<String, Object> event,
        Map<String, Object> trigger,
        UUID deliveryId,
        Instant now) {
}
