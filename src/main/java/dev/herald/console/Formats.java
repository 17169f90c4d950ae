package dev.herald.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.quarkus.qute.TemplateExtension;

/** How the console's templates write numbers and ids. */
@TemplateExtension
final class Formats {

    private Formats() {
    }

    /** A share from 0 to 1 as a percentage with one decimal. */
    static String percent(Double share) {
        return share == null ? "—" : Math.round(share * 1000) / 10.0 + "%";
    }

    static String ms(Double millis) {
        return millis == null ? "—" : Math.round(millis) + " ms";
    }

    /** The first eight characters of an id, enough to tell rows apart. */
    static String shortId(UUID id) {
        return id == null ? "" : id.toString().substring(0, 8);
    }

    /** For a path segment: a user id may hold characters a URL must escape. */
    static String urlEncoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
