package dev.herald.console;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Where the console's pages live. */
final class Console {

    static final String BASE = "/console";
    static final String SIGN_IN = BASE + "/sign-in";

    private Console() {
    }

    /** A console page, with a one-line notice for the next page to show (null: none). */
    static URI page(String path, String notice) {
        return URI.create(BASE + path + (notice == null ? ""
                : (path.contains("?") ? "&" : "?") + "notice=" + URLEncoder.encode(notice, StandardCharsets.UTF_8)));
    }

    /** A form or query field as typed, trimmed; null when left empty. */
    static String given(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
