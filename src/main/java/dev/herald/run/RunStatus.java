package dev.herald.run;

/**
 * A run's state. Stored: STARTED, or SKIPPED for a fire time missed by more than the misfire
 * grace. Shown: a STARTED run is WRITING_USERS while its audience is being written, then
 * IN_PROGRESS while any of its deliveries is unfinished, then COMPLETED.
 */
public enum RunStatus {
    STARTED, SKIPPED, WRITING_USERS, IN_PROGRESS, COMPLETED;

    /** The name as a SQL string literal, for statements that write or compare it. */
    String sql() {
        return "'" + name() + "'";
    }
}
