package dev.herald.user;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** What changed attributes start, in the transaction that changed them; the trigger package answers it. */
public interface UserTriggers {

    /**
     * Entries for the campaigns triggered by attribute changes ({@code changed}: name to new value,
     * null when removed). {@code event} is the event that carried the change, if one did. Returns
     * how many entries were written.
     */
    Uni<Integer> onAttributesChanged(SqlConnection transaction, User user, Map<String, JsonNode> changed,
            TriggeringEvent event, Instant now);
}
