package dev.herald.trigger;

import io.vertx.mutiny.sqlclient.RowSet;
import java.util.List;
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

    /** Entries of a campaign for a user since {@code since} (null: ever), sent or not. */
    public Uni<Long> count(SqlClient client, UUID campaignId, String userId, Instant since) {
        return client.preparedQuery("SELECT count(*) AS n FROM entries WHERE campaign_id = $1 AND user_id = $2"
                + " AND ($3::timestamptz IS NULL OR created_at > $3)")
                .execute(Tuple.of(campaignId, userId, Sql.ts(since)))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    /** An entry refused by the campaign's per-user limit: recorded as a SKIPPED delivery of the first action. */
    public Uni<Void> skipCapped(SqlClient client, Campaign campaign, String userId, UUID eventId, Instant now) {
        return client.preparedQuery("INSERT INTO deliveries (campaign_id, user_id, event_id, host, action_id,"
                + " action_index, status, reason, created_at, updated_at, finished_at)"
                + " VALUES ($1, $2, $3, $4, $5, 0, 'SKIPPED', 'FREQUENCY_CAP', $6, $6, $6)")
                .execute(Tuple.of(campaign.id(), userId, eventId, campaign.actionHosts()[0], campaign.actionIds()[0],
                        Sql.ts(now)))
                .replaceWithVoid();
    }

    /** Cancels what is pending for a user in these campaigns ({@code exitOn}). */
    public Uni<Integer> exit(SqlClient client, String userId, List<UUID> campaignIds, Instant now) {
        return client.preparedQuery("UPDATE deliveries SET status = 'CANCELLED', reason = 'USER_EXITED',"
                + " updated_at = $3, finished_at = $3 WHERE user_id = $1 AND campaign_id = ANY($2) AND status = 'PENDING'")
                .execute(Tuple.of(userId, campaignIds.toArray(UUID[]::new), Sql.ts(now)))
                .map(RowSet::rowCount);
    }

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
