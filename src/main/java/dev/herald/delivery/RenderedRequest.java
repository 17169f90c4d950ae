package dev.herald.delivery;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The request of a delivery as rendered once, when it was first due: every retry sends these
 * bytes. The URL carries no credentials; they are kept apart and never shown.
 */
@RegisterForReflection
public record RenderedRequest(String method, String url, Map<String, String> headers, String body) {

    /**
     * Why this request cannot be sent as it is, or empty: what the HTTP client would refuse (a
     * control character in the URL or a header, a URL that does not parse) and what passes the
     * limits. Checked when a request is rendered, and again before one stored earlier is sent.
     */
    public Optional<String> problem(RenderConfig limits) {
        int urlBytes = url.getBytes(StandardCharsets.UTF_8).length;
        if (urlBytes > limits.maxUrl().asLongValue()) {
            return Optional.of("the rendered URL has " + urlBytes + " bytes, more than herald.render.max-url ("
                    + limits.maxUrl().asLongValue() + ")");
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= 0x20 || c == 0x7F) {
                return Optional.of("the rendered URL has " + describe(c) + " at position " + (i + 1)
                        + " (from a value inserted with .raw?)");
            }
        }
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                return Optional.of("the rendered URL is not an absolute http or https URL with a host");
            }
        } catch (URISyntaxException e) {
            return Optional.of("the rendered URL is not valid: " + e.getMessage());
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String value = header.getValue();
            int bytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > limits.maxHeader().asLongValue()) {
                return Optional.of("the rendered value of header " + header.getKey() + " has " + bytes
                        + " bytes, more than herald.render.max-header (" + limits.maxHeader().asLongValue() + ")");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    return Optional.of("the rendered value of header " + header.getKey() + " has " + describe(c)
                            + " at position " + (i + 1));
                }
            }
        }
        if (body != null) {
            int bytes = body.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > limits.maxBody().asLongValue()) {
                return Optional.of("the rendered body has " + bytes + " bytes, more than herald.render.max-body ("
                        + limits.maxBody().asLongValue() + ")");
            }
        }
        return Optional.empty();
    }

    private static String describe(char c) {
        return switch (c) {
            case '\n' -> "a line break";
            case '\r' -> "a carriage return";
            case ' ' -> "a space";
            case '\t' -> "a tab";
            case 0 -> "a NUL character";
            default -> String.format("the control character U+%04X", (int) c);
        };
    }
}
