package dev.herald.event;

import java.time.Instant;

import dev.herald.user.TriggeringEvent;
import dev.herald.user.User;
import dev.herald.user.UserTriggers;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** What a tracked event starts or ends (its attributes included), in the transaction that stores it; the trigger package answers it. */
public interface EventTriggers extends UserTriggers {

    /** Whether an event of this name triggers or exits any campaign now; if not, storing it is all there is to do. */
    boolean listensTo(String event);

    /** Entries for the campaigns triggered by {@code event}, for a user in their audience; returns how many. */
    Uni<Integer> onEvent(SqlConnection transaction, User user, TriggeringEvent event, Instant now);

    /** Cancels the user's pending deliveries of campaigns that this event exits ({@code exitOn}). */
    Uni<Integer> onExit(SqlConnection transaction, String userId, String event, Instant now);
}
