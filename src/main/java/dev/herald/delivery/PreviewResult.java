package dev.herald.delivery;

import java.util.List;
import java.util.UUID;

/** What a campaign would send to one user: per action, the exact request (credentials masked). */
public record PreviewResult(UUID campaignId, String userId, boolean inAudience, List<ActionPreview> actions) {

    public record ActionPreview(UUID actionId, String name, RenderedRequest request) {
    }
}
