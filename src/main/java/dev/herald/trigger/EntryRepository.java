package dev.herald.trigger;

import io.vertx.mutiny.sqlclient.RowSet;
import java.util.List;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.campaign.Campaign;
import dev.herald.platform.Ids;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes a triggered entry (its deliveries, one per action) in one statement, in the caller's
 * transaction.
 */
@ApplicationScoped
public class EntryRepository {

    /**
     * The trigger index can lag behind a campaign paused or deleted on another instance by a
     * moment; the database has the last word, and there is no foreign key to catch it.
     */
    private static final String STILL_ACTIVE = "EXISTS (SELECT 1 FROM campaigns WHERE id = $1 AND status = 'ACTIVE')";

    /**
     * A condition on deliveries {@code alias} that keeps one per entry (an entry is the deliveries
     * that share its entry_id): first actions, other than those a per-user limit refused and test
     * sends. Per-user limits count these.
     */
    public static String firstOfEntry(String alias) {
        return alias + ".action_index = 0 AND NOT " + alias + ".test AND " + alias
                + ".reason IS DISTINCT FROM 'FREQUENCY_CAP'";
    }

    /** Entries of a campaign for a user since {@code since} (null: ever), sent or not. */
    public Uni<Long> count(SqlClient client, UUID campaignId, String userId, Instant since) {
        return client.preparedQuery("SELECT count(*) AS n FROM deliveries d WHERE d.campaign_id = $1"
                + " AND d.user_id = $2 AND " + firstOfEntry("d") + " AND ($3::timestamptz IS NULL OR d.created_at > $3)")
                .execute(Tuple.of(campaignId, userId, Sql.ts(since)))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    /** An entry refused by the campaign's per-user limit: recorded as a SKIPPED delivery of the first action. */
    public Uni<Void> skipCapped(SqlClient client, Campaign campaign, String userId, UUID eventId, Instant now) {
        return client.preparedQuery("INSERT INTO deliveries (campaign_id, user_id, event_id, host, action_id,"
                + " action_index, status, reason, created_at, updated_at, finished_at)"
                + " SELECT $1, $2, $3, $4, $5, 0, 'SKIPPED', 'FREQUENCY_CAP', $6, $6, $6 WHERE " + STILL_ACTIVE)
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
     * as one delivery per action; the first is due at {@code firstDue}, the others wait for the
     * action before them. Returns 1, or 0 when the entry existed or the campaign is no longer
     * active.
     */
    public Uni<Integer> enter(SqlClient client, Campaign campaign, String userId, UUID eventId, Instant firstDue,
            Instant now) {
        Integer[] indexes = new Integer[campaign.actions().size()];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = i;
        }
        return client.preparedQuery("WITH d AS (INSERT INTO deliveries (campaign_id, entry_id, user_id, event_id, host,"
                + "   action_id, action_index, status, due_at, created_at, updated_at)"
                + " SELECT $1, $9, $2, $3, a.host, a.action_id, a.action_index, 'PENDING',"
                + "   CASE WHEN a.action_index = 0 THEN $5::timestamptz END, $4, $4"
                + " FROM unnest($6::uuid[], $7::int[], $8::text[]) AS a(action_id, action_index, host)"
                + " WHERE " + STILL_ACTIVE + " ON CONFLICT DO NOTHING RETURNING action_index)"
                + " SELECT count(*)::int AS n FROM d WHERE action_index = 0")
                .execute(Tuple.from(new Object[] { campaign.id(), userId, eventId, Sql.ts(now), Sql.ts(firstDue),
                        campaign.actionIds(), indexes, campaign.actionHosts(), Ids.newId() }))
                .map(rows -> rows.iterator().next().getInteger("n"));
    }
}
