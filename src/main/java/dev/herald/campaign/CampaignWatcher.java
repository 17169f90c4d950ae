package dev.herald.campaign;

import io.smallrye.mutiny.Uni;

/**
 * Told after a campaign was created, edited or moved, once the change is committed; the trigger
 * index answers it, so that an event tracked after the change's answer already sees it.
 */
public interface CampaignWatcher {

    Uni<Void> changed();
}
