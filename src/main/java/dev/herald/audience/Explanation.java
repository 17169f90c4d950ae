package dev.herald.audience;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One node of a criteria tree evaluated for one user: what it tests, what the user's value was,
 * and whether it held. {@link Evaluator#matches} is the root's {@code matched}, so an explanation
 * cannot disagree with the engine.
 */
@RegisterForReflection
public record Explanation(
        /** all, any, not, attribute, param, userId, bucket, createdWithin or event. */
        String kind,
        /** The test in words, e.g. {@code plan eq "pro"} or {@code purchase count gte 2 within P30D}. */
        String test,
        /** The user's value the test read (an attribute, a parameter, a bucket, a count); null for groups. */
        JsonNode actual,
        boolean matched,
        List<Explanation> parts) {

    static Explanation leaf(String kind, String test, JsonNode actual, boolean matched) {
        return new Explanation(kind, test, actual, matched, List.of());
    }
}
