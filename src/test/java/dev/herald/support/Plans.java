package dev.herald.support;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads plans of {@code EXPLAIN (ANALYZE, FORMAT JSON)}, for tests of what a statement reads. */
public final class Plans {

    private Plans() {
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
