package dev.herald.platform;

/** One invalid field of a request: a JSON path such as {@code actions[0].url} and what to fix. */
public record FieldError(String field, String message) {
}
