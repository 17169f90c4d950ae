package dev.herald.campaign;

import java.util.Set;

/** The lifecycle of a campaign: DRAFT → ACTIVE ⇄ PAUSED → FINISHED. */
public enum CampaignStatus {
    DRAFT, ACTIVE, PAUSED, FINISHED;

    /** The name as a SQL string literal, for statements that write or compare it. */
    public String sql() {
        return "'" + name() + "'";
    }

    /** The states from which each lifecycle call may move a campaign. */
    static Set<CampaignStatus> startableFrom() {
        return Set.of(DRAFT, PAUSED);
    }

    static Set<CampaignStatus> pausableFrom() {
        return Set.of(ACTIVE);
    }

    static Set<CampaignStatus> finishableFrom() {
        return Set.of(DRAFT, ACTIVE, PAUSED);
    }
}
