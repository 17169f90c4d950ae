package dev.herald.explain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.herald.audience.Explanation;
import dev.herald.delivery.DeliveryView;

/**
 * Why a user got (or did not get) a campaign's webhooks: each check the engine makes, in the
 * order it makes them, with what it found for this user, and the deliveries that exist.
 */
public record Explained(
        UUID campaignId,
        String userId,
        /** When the checks were made: audiences and limits are evaluated as of now. */
        Instant at,
        Verdict verdict,
        /** The verdict in one sentence, naming the first check that stops the user. */
        String summary,
        List<Check> checks,
        /** The user's newest deliveries of this campaign (at most 20), with their reasons. */
        List<DeliveryView> deliveries) {

    /** What the checks and deliveries come to. */
    public enum Verdict {
        /** A webhook of this campaign reached the user's destination. */
        RECEIVED,
        /** Deliveries exist and are not final yet: pending, waiting or being sent. */
        ON_ITS_WAY,
        /** Deliveries exist, and every one ended without reaching the destination. */
        NOT_DELIVERED,
        /** No delivery, and every check passes: the next run or trigger would reach the user. */
        WOULD_ENTER,
        /** No delivery, and a check stops the user: see the first FAIL. */
        WOULD_NOT_ENTER,
        /** No user has this id. */
        UNKNOWN_USER
    }

    /** One check. {@code criteria} is the tree evaluated node by node, for checks that evaluate one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Check(String name, Result result, String detail, Explanation criteria) {

        static Check of(String name, Result result, String detail) {
            return new Check(name, result, detail, null);
        }
    }

    /** PASS and FAIL decide; WAIT delays without stopping; INFO says how the campaign works. */
    public enum Result {
        PASS, FAIL, WAIT, INFO
    }
}
