package dev.herald.trigger;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.campaign.Campaign;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Writes a triggered entry and its deliveries in one statement, in the caller's transaction. */
@ApplicationScoped
public class EntryRepository {

    /**
     * One entry of {@code campaign} for the user (at most one per event: a repeat writes nothing)
     * and one delivery per action; the first is due at {@code firstDue}, the others wait for the
     * action before them. Returns 1, or 0 when the entry existed.
     */
    public Uni<Integer> enter(SqlClient client, Campaign campaign, String userId, UUID eventId, Instant firstDue,
            Instant now) {
        Integer[] indexes = new Integer[campaign.actions().size()];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = i;
        }
        return client.preparedQuery("WITH e AS ("
                + " INSERT INTO entries (campaign_id, user_id, event_id, created_at) VALUES ($1, $2, $3, $4)"
                + " ON CONFLICT DO NOTHING RETURNING id),"
                + " d AS (INSERT INTO deliveries (campaign_id, entry_id, user_id, event_id, host, action_id, action_index,"
                + "   status, due_at, created_at, updated_at)"
                + " SELECT $1, e.id, $2, $3, a.host, a.action_id, a.action_index, 'PENDING',"
                + "   CASE WHEN a.action_index = 0 THEN $5::timestamptz END, $4, $4"
                + " FROM e CROSS JOIN unnest($6::uuid[], $7::int[], $8::text[]) AS a(action_id, action_index, host))"
                + " SELECT count(*)::int AS n FROM e")
                .execute(Tuple.from(new Object[] { campaign.id(), userId, eventId, Sql.ts(now), Sql.ts(firstDue),
                        campaign.actionIds(), indexes, campaign.actionHosts() }))
                .map(rows -> rows.iterator().next().getInteger("n"));
    }
}
