package dev.herald.support;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads plans of {@code EXPLAIN (ANALYZE, FORMAT JSON)}, for tests of what a statement reads. */
public final class Plans {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Plans() {
    }

    /** The top node of a plan as {@code EXPLAIN (FORMAT JSON)} gives it. */
    public static JsonNode of(String explained) {
        try {
            return MAPPER.readTree(explained).get(0).get("Plan");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rows of {@code table} the plan's scans read, kept or filtered out, over all their loops. */
    public static long rowsRead(JsonNode node, String table) {
        long read = 0;
        if (table.equals(node.path("Relation Name").asText()) && node.path("Node Type").asText().contains("Scan")) {
            read += (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong())
                    * node.path("Actual Loops").asLong();
        }
        for (JsonNode child : node.path("Plans")) {
            read += rowsRead(child, table);
        }
        return read;
    }
}
