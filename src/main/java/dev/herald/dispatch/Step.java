package dev.herald.dispatch;

import java.time.Instant;

import dev.herald.campaign.Action;
import dev.herald.campaign.Campaign;
import dev.herald.delivery.Claimed;
import dev.herald.delivery.DeliveryReason;
import dev.herald.delivery.DeliveryStatus;

/** What {@link Preparation} decided for one claimed delivery. */
public sealed interface Step {

    Claimed claim();

    /** Inside the campaign's quiet hours: given back, due again when they end, without an attempt. */
    record Wait(Claimed claim, Instant until) implements Step {
    }

    /** Skipped without an attempt. {@code campaign} is null when it is gone. */
    record Skip(Claimed claim, Campaign campaign, DeliveryReason reason) implements Step {

        public DeliveryStatus status() {
            return DeliveryStatus.SKIPPED;
        }
    }

    /** The request cannot be built: FAILED with RENDER_ERROR, the cause recorded as its attempt. */
    record NotBuilt(Claimed claim, Campaign campaign, String problem) implements Step {
    }

    /**
     * To be sent; {@code claim} carries its rendered request ({@link Claimed#renderedNow} says
     * whether just now). {@code action} is null when it was removed after rendering.
     */
    record Send(Claimed claim, Campaign campaign, Action action) implements Step {
    }
}
