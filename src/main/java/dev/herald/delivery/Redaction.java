package dev.herald.delivery;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import dev.herald.destination.ActionUrl;

/** Masks credentials in what Herald shows of a request: delivery records, previews and logs. */
public final class Redaction {

    public static final String MASK = ActionUrl.MASK;
    private static final Pattern SECRET_HEADER = Pattern.compile(
            "(?i)^(authorization|proxy-authorization|cookie|.*(api[-_]?key|token|secret|password).*)$");

    private Redaction() {
    }

    /** A request as shown to people: credentials masked, Basic auth (when it has one) as {@code Basic ****}. */
    public static RenderedRequest shown(RenderedRequest request, boolean basicAuth) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (basicAuth) {
            headers.put("Authorization", "Basic " + MASK);
        }
        headers.putAll(headers(request.headers()));
        return new RenderedRequest(request.method(), request.url(), headers, request.body());
    }

    /** Header values that carry credentials keep only their scheme ({@code Bearer ****}). */
    public static Map<String, String> headers(Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((name, value) -> out.put(name, SECRET_HEADER.matcher(name).matches() ? mask(value) : value));
        return out;
    }

    private static String mask(String value) {
        int space = value.indexOf(' ');
        return space > 0 && space < 20 ? value.substring(0, space) + " " + MASK : MASK;
    }

    /** The URL with the password of its user info masked: {@code https://user:****@host/...}. */
    public static String url(String url) {
        return ActionUrl.maskPassword(url);
    }
}
