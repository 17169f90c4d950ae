package dev.herald.dispatch;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.herald.delivery.RenderedRequest;

/** What a campaign would send to one user: per action, the exact request (credentials masked). */
public record PreviewResult(UUID campaignId, String userId, boolean inAudience, List<ActionPreview> actions) {

    /** One action's request; when it cannot be built, no request and the error the delivery would end with. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ActionPreview(UUID actionId, String name, RenderedRequest request, String error) {
    }
}
