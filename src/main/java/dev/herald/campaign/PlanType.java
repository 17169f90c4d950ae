package dev.herald.campaign;

/** How a campaign's runs or entries come about (contract section 2.1). */
public enum PlanType {
    MANUAL, ONE_TIME, RECURRING, TRIGGERED;

    /** The name as a SQL string literal, for statements that compare {@code delivery_type}. */
    String sql() {
        return "'" + name() + "'";
    }
}
