package dev.herald.schedule;

import java.util.Collections;
import java.time.LocalDateTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.audience.Criteria;
import dev.herald.audience.SqlCompiler;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.platform.Ids;
import dev.herald.platform.Sql;
import dev.herald.trigger.EntryRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Runs, and the set-based fan-out that writes a run's entries and deliveries. */
@ApplicationScoped
public class RunRepository {

    private final Pool pool;

    public RunRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /**
     * A run for a scheduled fire time, unless that fire time already has one (on any instance):
     * true when this call made it. {@code status} is STARTED, or SKIPPED for a misfire.
     */
    public Uni<Boolean> insertScheduled(SqlClient client, UUID id, UUID campaignId, Instant fireTime, String status,
            Instant now) {
        return client.preparedQuery("INSERT INTO runs (id, campaign_id, kind, fire_time, status, created_at)"
                + " VALUES ($1, $2, 'SCHEDULED', $3, $4, $5) ON CONFLICT (campaign_id, fire_time) DO NOTHING")
                .execute(Tuple.of(id, campaignId, Sql.ts(fireTime), status, Sql.ts(now)))
                .map(rows -> rows.rowCount() > 0);
    }

    public Uni<Void> insert(SqlClient client, UUID id, UUID campaignId, String kind, Instant fireTime, String data,
            Instant now) {
        return client.preparedQuery("INSERT INTO runs (id, campaign_id, kind, fire_time, status, data, created_at)"
                + " VALUES ($1, $2, $3, $4, 'STARTED', $5::text::jsonb, $6)")
                .execute(Tuple.of(id, campaignId, kind, Sql.ts(fireTime), data, Sql.ts(now))).replaceWithVoid();
    }

    /**
     * Writes one entry per user of the audience (all users, or those of {@code userIds}): one
     * delivery per action, in one statement. The first action is due after its delay; the others
     * have no due time until the previous action ends. A user already at the campaign's per-user
     * limit ({@code capMax} entries since {@code capSince}) gets a SKIPPED delivery instead,
     * reason FREQUENCY_CAP. Returns the number of entries.
     *
     * <p>Users are read in id order, so the index that keeps entries unique (campaign, user, ...)
     * takes the new rows in its own order, and numbered as they are read: each entry's and
     * delivery's id is computed from that number rather than drawn at random per row.
     */
    public Uni<Integer> fanOut(SqlClient client, UUID runId, UUID campaignId, String[] userIds, Criteria audience,
            Integer capMax, Instant capSince, UUID[] actionIds, String[] hosts, Instant firstDue, Instant now,
            Pacing pacing) {
        SqlCompiler.Compiled inAudience = SqlCompiler.compile(audience, 19, now);
        Integer[] indexes = new Integer[actionIds.length];
        for (int i = 0; i < actionIds.length; i++) {
            indexes[i] = i;
        }
        UUID entryBase = Ids.newId();
        UUID deliveryBase = Ids.newId();
        return client.preparedQuery("WITH c AS ("
                + " SELECT u.id, row_number() OVER (ORDER BY u.id) AS n,"
                + " ($9::int IS NOT NULL AND (SELECT count(*) FROM deliveries en WHERE en.campaign_id = $1"
                + "   AND en.user_id = u.id AND " + EntryRepository.firstOfEntry("en")
                + "   AND ($10::timestamptz IS NULL OR en.created_at > $10)) >= $9) AS capped,"
                // Each user's own local time, if the run has one: their timeZone attribute when
                // Postgres knows it, else the default; a time already past is now.
                + " CASE WHEN $11::timestamp IS NULL THEN $7::timestamptz ELSE greatest($3, $11::timestamp AT TIME ZONE"
                + "   CASE WHEN u.attributes ->> 'timeZone' = ANY($13::text[]) THEN u.attributes ->> 'timeZone'"
                + "   ELSE $12::text END) END AS due"
                + " FROM users u WHERE ($4::text[] IS NULL OR u.id = ANY($4)) AND " + inAudience.sql() + "),"
                // A capped user gets its first action only, SKIPPED and in no entry.
                // maxPerMinute: the n-th user's first action waits n / rate whole minutes. Capped
                // users leave gaps in that order, which only slows the run.
                + " d AS (INSERT INTO deliveries (id, campaign_id, entry_id, run_id, user_id, host, action_id,"
                + "   action_index, status, reason, due_at, created_at, updated_at, finished_at)"
                + " SELECT herald_uuid_at($17, $18, (c.n - 1) * cardinality($5::uuid[]) + a.action_index), $1,"
                + "   CASE WHEN NOT c.capped THEN herald_uuid_at($15, $16, c.n) END, $2, c.id, a.host, a.action_id,"
                + "   a.action_index, CASE WHEN c.capped THEN 'SKIPPED' ELSE 'PENDING' END,"
                + "   CASE WHEN c.capped THEN 'FREQUENCY_CAP' END,"
                + "   CASE WHEN NOT c.capped AND a.action_index = 0 THEN c.due + CASE WHEN $14::int IS NULL"
                + "     THEN interval '0' ELSE ((c.n - 1) / $14::int) * interval '1 minute' END END,"
                + "   $3, $3, CASE WHEN c.capped THEN $3::timestamptz END"
                + " FROM c CROSS JOIN unnest($5::uuid[], $6::int[], $8::text[]) AS a(action_id, action_index, host)"
                + " WHERE a.action_index = 0 OR NOT c.capped"
                + " RETURNING status = 'PENDING' AND action_index = 0 AS entered)"
                + " SELECT count(*) FILTER (WHERE entered)::int AS audience FROM d")
                .execute(Tuple.from(params(new Object[] { campaignId, runId, Sql.ts(now), userIds, actionIds, indexes,
                        Sql.ts(firstDue), hosts, capMax, Sql.ts(capSince), pacing.localTime(), pacing.defaultZone(),
                        pacing.knownZones(), pacing.perMinute(), entryBase.getMostSignificantBits(),
                        Ids.randomBits(entryBase), deliveryBase.getMostSignificantBits(),
                        Ids.randomBits(deliveryBase) }, inAudience.params())))
                .chain(rows -> {
                    int size = rows.iterator().next().getInteger("audience");
                    return client.preparedQuery("UPDATE runs SET audience_size = $2 WHERE id = $1")
                            .execute(Tuple.of(runId, size)).replaceWith(size);
                });
    }

    /**
     * How a run's first actions are spread: at each user's {@code localTime} (in their timeZone
     * attribute, among {@code knownZones}, else {@code defaultZone}), and at most
     * {@code perMinute} a minute. Nulls: not spread.
     */
    public record Pacing(LocalDateTime localTime, String defaultZone, String[] knownZones,
            Integer perMinute) {
    }

    /** The time zones Postgres knows, which users' timeZone attributes are checked against. */
    public Uni<String[]> knownZones() {
        return pool.query("SELECT name FROM pg_timezone_names").execute()
                .map(rows -> {
                    List<String> names = new ArrayList<>(rows.size());
                    rows.forEach(row -> names.add(row.getString("name")));
                    return names.toArray(String[]::new);
                });
    }

    private static List<Object> params(Object[] fixed, List<Object> more) {
        List<Object> all = new ArrayList<>(fixed.length + more.size());
        Collections.addAll(all, fixed);
        all.addAll(more);
        return all;
    }

    /** A campaign's runs, newest first, with their deliveries counted by status. */
    public Uni<List<RunView>> list(UUID campaignId, UUID after, int limit) {
        StringBuilder counts = new StringBuilder();
        for (DeliveryStatus status : DeliveryStatus.values()) {
            counts.append(", count(d.id) FILTER (WHERE d.status = '").append(status.name()).append("')::int AS ")
                    .append(status.name().toLowerCase());
        }
        return pool.preparedQuery("SELECT r.id, r.campaign_id, r.kind, r.fire_time, r.status, r.audience_size,"
                + " r.created_at" + counts
                + " FROM runs r LEFT JOIN deliveries d ON d.run_id = r.id"
                + " WHERE r.campaign_id = $1 AND ($2::uuid IS NULL OR r.id < $2)"
                + " GROUP BY r.id ORDER BY r.id DESC LIMIT $3")
                .execute(Tuple.of(campaignId, after, limit))
                .map(rows -> {
                    List<RunView> out = new ArrayList<>();
                    for (Row row : rows) {
                        Map<String, Integer> byStatus = new LinkedHashMap<>();
                        boolean open = false;
                        for (DeliveryStatus status : DeliveryStatus.values()) {
                            int n = row.getInteger(status.name().toLowerCase());
                            byStatus.put(status.name(), n);
                            open |= n > 0 && !status.isFinal();
                        }
                        String status = row.getString("status").equals("STARTED")
                                ? (open ? "IN_PROGRESS" : "COMPLETED")
                                : row.getString("status");
                        out.add(new RunView(row.getUUID("id"), row.getUUID("campaign_id"), row.getString("kind"),
                                Sql.instant(row, "fire_time"), status, row.getInteger("audience_size"), byStatus,
                                Sql.instant(row, "created_at")));
                    }
                    return out;
                });
    }
}
