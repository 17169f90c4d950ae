package dev.herald.campaign;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.Criteria;
import dev.herald.audience.CriteriaParser;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Who a campaign is for: its {@code audience} as written ({@code json}, null for everyone) and parsed. */
@RegisterForReflection
public record Audience(@JsonValue JsonNode json, Criteria criteria) {

    /** The audience of criteria already checked (on save, or as stored). */
    public static Audience of(JsonNode json) {
        JsonNode written = json == null || json.isNull() ? null : json;
        return new Audience(written, CriteriaParser.parseStored(written, CriteriaParser.Use.AUDIENCE));
    }
}
