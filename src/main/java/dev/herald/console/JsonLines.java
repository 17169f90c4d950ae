package dev.herald.console;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Where each field of a JSON document starts, by the path the API's errors name it with
 * ({@code actions[0].url}), so the editor can point at the line an error is about.
 */
final class JsonLines {

    private static final JsonFactory FACTORY = new JsonFactory();

    private final Map<String, Integer> lines;

    private JsonLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    /** The lines of as much of the document as parses; a broken tail is left out. */
    static JsonLines of(String json) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = FACTORY.createParser(json)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                // A value that opens an object or array has entered it already: its place is in the parent.
                JsonStreamContext where = token.isStructStart() ? parser.getParsingContext().getParent()
                        : parser.getParsingContext();
                if (token == JsonToken.FIELD_NAME || where.inArray() && !token.isStructEnd()) {
                    lines.putIfAbsent(path(where), parser.currentTokenLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            // What parsed so far is still worth pointing at.
        }
        return new JsonLines(lines);
    }

    /** The line of the field, or of its nearest parent that is in the document; null when none is. */
    Integer lineOf(String field) {
        String path = field;
        while (path != null && !path.isEmpty()) {
            Integer line = lines.get(path);
            if (line != null) {
                return line;
            }
            int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
            path = cut <= 0 ? null : path.substring(0, cut);
        }
        return null;
    }

    private static String path(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                path.insert(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                path.insert(0, (path.isEmpty() && c.getParent().inRoot() ? "" : ".") + c.getCurrentName());
            }
        }
        String p = path.toString();
        return p.startsWith(".") ? p.substring(1) : p;
    }
}
