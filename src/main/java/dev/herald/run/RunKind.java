package dev.herald.run;

/** What started a run: a send ({@code POST /campaigns/{id}/send}) or a scheduled fire time. */
public enum RunKind {
    MANUAL, SCHEDULED;

    /** The name as a SQL string literal, for statements that write or compare it. */
    String sql() {
        return "'" + name() + "'";
    }
}
