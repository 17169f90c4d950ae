package dev.herald.campaign;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** The body of {@code POST /campaigns} and {@code PUT /campaigns/{id}}; read-only fields are ignored. */
public record CampaignRequest(
        String name,
        String description,
        JsonNode audience,
        PlanFields delivery,
        JsonNode limits,
        JsonNode exitOn,
        List<ActionRequest> actions) {
}
