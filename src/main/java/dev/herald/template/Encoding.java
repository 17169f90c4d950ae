package dev.herald.template;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** Where a rendered value lands, and so how it is encoded there (contract section 6). */
public enum Encoding {
    /** Percent-encoded, every byte but RFC 3986 unreserved characters. */
    URL,
    /** application/x-www-form-urlencoded. */
    FORM,
    /** Escaped for the inside of a JSON string. */
    JSON,
    /** Escaped for XML text and attribute values. */
    XML,
    /** A header value: unchanged but for line breaks and other control characters, which HTTP forbids there. */
    HEADER,
    /** Unchanged. */
    PLAIN;

    /** The content type of the Qute variant that carries this encoding to the result mapper. */
    String variantType() {
        return "text/x-herald-" + name().toLowerCase();
    }

    static Encoding ofVariantType(String type) {
        if (type == null || !type.startsWith("text/x-herald-")) {
            return null;
        }
        return valueOf(type.substring("text/x-herald-".length()).toUpperCase());
    }

    String encode(String value) {
        return switch (this) {
            case URL -> percentEncode(value);
            case FORM -> URLEncoder.encode(value, StandardCharsets.UTF_8);
            case JSON -> new String(JsonStringEncoder.getInstance().quoteAsString(value));
            case XML -> value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("\"", "&quot;").replace("'", "&apos;");
            case HEADER -> headerSafe(value);
            case PLAIN -> value;
        };
    }

    private static String headerSafe(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                if (out == null) {
                    out = new StringBuilder(value);
                }
                out.setCharAt(i, ' ');
            }
        }
        return out == null ? value : out.toString();
    }

    static String percentEncode(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }
}
