package dev.herald.delivery;

import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The request of a delivery as rendered once, when it was first due: every retry sends these
 * bytes. The URL carries no credentials; they are kept apart and never shown.
 */
@RegisterForReflection
public record RenderedRequest(String method, String url, Map<String, String> headers, String body) {
}
