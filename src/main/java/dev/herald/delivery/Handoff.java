package dev.herald.delivery;

import java.time.Instant;
import java.util.List;

/**
 * This instance's dispatcher, as seen by those who write deliveries due at once: a delivery it has
 * room for is written already claimed by it and handed over after the commit, so that it is sent
 * without waiting for a claim (and without the claim's statement).
 */
public interface Handoff {

    /**
     * Until when a delivery to {@code host} written now would be claimed by this instance; null
     * when it has no room for one (it is full, stopping, or the host's breaker is open) and the
     * delivery should be written due, for any instance's claim.
     */
    Instant claimUntil(String host, Instant now);

    /** Sends deliveries claimed as they were written, once their transaction has committed. */
    void take(List<Claimed> claimed);
}
