package dev.herald.platform;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One invalid field of a request: a JSON path such as {@code actions[0].url} and what to fix. */
@RegisterForReflection
public record FieldError(String field, String message) {
}
