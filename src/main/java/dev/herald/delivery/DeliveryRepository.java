package dev.herald.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.platform.Json;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** The deliveries and attempts tables: claiming, recording, and reading for the API. */
@ApplicationScoped
public class DeliveryRepository {

    private static final String VIEW_COLUMNS = "id, campaign_id, action_id, user_id, run_id, entry_id, status, "
            + "reason, test, attempt_count, last_status_code, last_error, due_at, created_at, updated_at, finished_at";

    private final Pool pool;
    private final Json json;
    /** Whether the last claim found an active campaign with maxPerMinute. */
    private volatile boolean limitedActive;

    public DeliveryRepository(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
    }

    /**
     * Claims due deliveries of active campaigns, oldest due first, skipping rows other instances
     * hold, and hosts this instance cannot take more requests for. An entry's later actions have
     * no due time until the previous action ends, so order needs no check here. Non-active
     * campaigns are a filter rather than a join, so Postgres walks the due-time index in order and
     * stops at the limit. The claim commits on its own, before any request is sent.
     *
     * <p>A campaign with {@code maxPerMinute} gets no more in a clock minute (UTC) than its limit,
     * counted in {@code campaign_minutes} across instances. Its due deliveries beyond that are put
     * off to the following minutes, each after those put off before it in the same minute, so they
     * do not stand at the head of every claim, and they come due at the campaign's rate. Those
     * campaigns are claimed by a statement of their own, run only while one is active (as the
     * last claim found), so that the common claim stays as cheap as it can be: the counting made
     * every claim about 40% dearer in {@code bench/dispatch}.
     */
    public Uni<Claims> claim(Instant now, Instant lockedUntil, int limit, List<String> skippedHosts) {
        String[] hosts = skippedHosts.toArray(String[]::new);
        // Rate-limited campaigns first: they take at most their minute's share, so they cannot
        // crowd the others out, and a backlog of the others cannot hold them back.
        boolean limitedFirst = limitedActive;
        Uni<Claims> limited = limitedFirst
                ? claimLimited(Tuple.of(Sql.ts(now), Sql.ts(lockedUntil), limit, hosts))
                : Uni.createFrom().item(new Claims(List.of(), 0));
        return limited.chain(first -> pool.preparedQuery("WITH due AS (SELECT x.id FROM deliveries x"
                + "   WHERE x.status IN ('PENDING', 'SENDING') AND x.due_at <= $1"
                + "   AND (x.locked_until IS NULL OR x.locked_until <= $1)"
                + "   AND x.campaign_id <> ALL (SELECT c.id FROM campaigns c"
                + "     WHERE c.status <> 'ACTIVE' OR c.max_per_minute IS NOT NULL)"
                + "   AND NOT (x.host = ANY($4))"
                + "   ORDER BY x.due_at LIMIT $3 FOR UPDATE OF x SKIP LOCKED),"
                + " claimed AS (UPDATE deliveries d SET status = 'SENDING', locked_until = $2,"
                + "   attempt_count = d.attempt_count + 1, updated_at = $1 FROM due WHERE d.id = due.id"
                + "   RETURNING " + CLAIMED + ")"
                // One row at least, so that whether rate-limited campaigns are active is known.
                + " SELECT claimed.*, EXISTS (SELECT 1 FROM campaigns c WHERE c.status = 'ACTIVE'"
                + "   AND c.max_per_minute IS NOT NULL) AS limited"
                + " FROM (VALUES (1)) AS one (x) LEFT JOIN claimed ON true")
                .execute(Tuple.of(Sql.ts(now), Sql.ts(lockedUntil), limit - first.claimed().size(), hosts))
                .chain(rows -> {
                    limitedActive = rows.iterator().next().getBoolean("limited");
                    List<Claimed> all = new ArrayList<>(first.claimed());
                    all.addAll(claimedRows(rows));
                    if (limitedFirst || !limitedActive || all.size() >= limit) {
                        return Uni.createFrom().item(new Claims(all, first.putOff()));
                    }
                    // A rate-limited campaign became active since the last claim: its turn now.
                    return claimLimited(Tuple.of(Sql.ts(now), Sql.ts(lockedUntil), limit - all.size(), hosts))
                            .map(more -> {
                                all.addAll(more.claimed());
                                return new Claims(all, more.putOff());
                            });
                }));
    }

    /** The claim of deliveries of active campaigns with maxPerMinute, within each one's minute. */
    private Uni<Claims> claimLimited(Tuple parameters) {
        return pool.preparedQuery("WITH due AS (SELECT x.id, x.campaign_id, x.due_at FROM deliveries x"
                + "   WHERE x.status IN ('PENDING', 'SENDING') AND x.due_at <= $1"
                + "   AND (x.locked_until IS NULL OR x.locked_until <= $1)"
                + "   AND x.campaign_id = ANY (ARRAY(SELECT c.id FROM campaigns c"
                + "     WHERE c.status = 'ACTIVE' AND c.max_per_minute IS NOT NULL))"
                + "   AND NOT (x.host = ANY($4))"
                + "   ORDER BY x.due_at LIMIT $3 FOR UPDATE OF x SKIP LOCKED),"
                // Each campaign asks its minute's counter for as many as it has due; the counter's
                // row lock makes instances take turns, in campaign order.
                + " asked AS (SELECT due.campaign_id, count(*)::int AS n, min(c.max_per_minute) AS max_per_minute"
                + "   FROM due JOIN campaigns c ON c.id = due.campaign_id GROUP BY due.campaign_id),"
                + " quota AS (INSERT INTO campaign_minutes AS m (campaign_id, minute, claimed, granted, put_off)"
                + "   SELECT a.campaign_id, date_trunc('minute', $1::timestamptz, 'UTC'), least(a.n, a.max_per_minute),"
                + "   least(a.n, a.max_per_minute), a.n - least(a.n, a.max_per_minute) FROM asked a ORDER BY a.campaign_id"
                + "   ON CONFLICT (campaign_id, minute) DO UPDATE SET (granted, claimed, put_off) ="
                + "   (SELECT g.n, m.claimed + g.n, m.put_off + a.n - g.n FROM asked a,"
                + "     LATERAL (SELECT greatest(0, least(a.n, a.max_per_minute - m.claimed)) AS n) g"
                + "     WHERE a.campaign_id = m.campaign_id)"
                + "   RETURNING m.campaign_id, m.granted, m.put_off),"
                + " ranked AS (SELECT due.id, due.campaign_id, row_number() OVER (PARTITION BY due.campaign_id"
                + "   ORDER BY due.due_at, due.id) AS k FROM due),"
                // The p-th delivery put off from this minute waits 1 + (p - 1) / rate minutes.
                + " later AS (UPDATE deliveries o SET due_at = date_trunc('minute', $1::timestamptz, 'UTC')"
                + "   + (1 + (q.put_off - (a.n - q.granted) + r.k - q.granted - 1) / a.max_per_minute)"
                + "   * interval '1 minute', updated_at = $1"
                + "   FROM ranked r JOIN quota q ON q.campaign_id = r.campaign_id JOIN asked a ON a.campaign_id = r.campaign_id"
                + "   WHERE o.id = r.id AND r.k > q.granted RETURNING o.id),"
                + " claimed AS (UPDATE deliveries d SET status = 'SENDING', locked_until = $2,"
                + "   attempt_count = d.attempt_count + 1, updated_at = $1"
                + "   FROM ranked r JOIN quota q ON q.campaign_id = r.campaign_id"
                + "   WHERE d.id = r.id AND r.k <= q.granted"
                + "   RETURNING " + CLAIMED + ")"
                // One row at least, so that how many were put off is known when none was claimed.
                + " SELECT claimed.*, (SELECT count(*) FROM later)::int AS put_off"
                + " FROM (VALUES (1)) AS one (x) LEFT JOIN claimed ON true")
                .execute(parameters)
                .map(rows -> new Claims(claimedRows(rows), rows.iterator().next().getInteger("put_off")));
    }

    /** What a claim returns of each delivery it took. */
    private static final String CLAIMED = "d.id, d.campaign_id, d.entry_id, d.user_id, d.host, d.action_id,"
            + " d.action_index, d.attempt_count, d.locked_until, d.request::text AS request, d.credentials,"
            + " (SELECT r.data::text FROM runs r WHERE r.id = d.run_id) AS trigger_data,"
            + " CASE WHEN d.event_id IS NOT NULL THEN (SELECT json_build_object('name', ev.name,"
            + "   'time', to_char(ev.time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
            + "   'params', ev.params)::text FROM events ev WHERE ev.id = d.event_id) END AS event_data";

    private List<Claimed> claimedRows(RowSet<Row> rows) {
        List<Claimed> out = new ArrayList<>(rows.size());
        for (Row row : rows) {
            if (row.getUUID("id") == null) {
                continue;
            }
            out.add(new Claimed(row.getUUID("id"), row.getUUID("campaign_id"), row.getUUID("entry_id"),
                    row.getString("user_id"), row.getString("host"), row.getUUID("action_id"),
                    row.getInteger("action_index"), row.getInteger("attempt_count"),
                    Sql.instant(row, "locked_until"),
                    json.read(row.getString("request"), RenderedRequest.class),
                    row.getString("credentials"), row.getString("trigger_data"),
                    row.getString("event_data")));
        }
        return out;
    }

    /** What one claim took, and how many due deliveries it put off for their campaigns' maxPerMinute. */
    public record Claims(List<Claimed> claimed, int putOff) {
    }

    /** How many deliveries of active campaigns are due and unclaimed at {@code now}, and the oldest due time. */
    public record Due(long count, Instant oldest) {
    }

    /** Counts what a claim would find (but for busy hosts and rate limits): the lag an operator watches. */
    public Uni<Due> due(Instant now) {
        return pool.preparedQuery("SELECT count(*) AS n, min(x.due_at) AS oldest FROM deliveries x"
                + " WHERE x.status IN ('PENDING', 'SENDING') AND x.due_at <= $1"
                + " AND (x.locked_until IS NULL OR x.locked_until <= $1)"
                + " AND x.campaign_id = ANY (ARRAY(SELECT c.id FROM campaigns c WHERE c.status = 'ACTIVE'))")
                .execute(Tuple.of(Sql.ts(now)))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Due(row.getLong("n"), Sql.instant(row, "oldest"));
                });
    }

    /** Stores rendered requests in one round trip; they are never rendered again. */
    public Uni<Void> storeRendered(List<Claimed> rendered) {
        if (rendered.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = rendered.stream()
                .map(c -> Tuple.of(c.id(), json.write(c.request()), c.credentials())).toList();
        return pool.preparedQuery("UPDATE deliveries SET request = $2::text::json, credentials = $3 WHERE id = $1")
                .executeBatch(batch).replaceWithVoid();
    }

    /**
     * Gives a claimed delivery back without an attempt (its host could not take it now): it is
     * due again at {@code dueAt} and the claim's attempt is not counted.
     */
    public Uni<Void> release(Claimed claim, Instant dueAt, Instant now) {
        return pool.preparedQuery("UPDATE deliveries SET status = 'PENDING', locked_until = NULL, due_at = $2,"
                + " attempt_count = attempt_count - 1, updated_at = $3"
                + " WHERE id = $1 AND status = 'SENDING' AND locked_until = $4")
                .execute(Tuple.of(claim.id(), Sql.ts(dueAt), Sql.ts(now), Sql.ts(claim.lockedUntil())))
                .replaceWithVoid();
    }

    /** FAILED → PENDING now, attempts counted from one again; false when it was not FAILED. */
    public Uni<Boolean> replay(UUID id, Instant now) {
        return pool.preparedQuery(REPLAY + " WHERE d.id = $2 AND d.status = 'FAILED'"
                + " AND d.campaign_id = c.id AND c.status <> 'FINISHED'")
                .execute(Tuple.of(Sql.ts(now), id)).map(rows -> rows.rowCount() > 0);
    }

    /** Replays a campaign's FAILED deliveries, of one reason and finished since a time if given. */
    public Uni<Integer> replayAll(UUID campaignId, String reason, Instant since, Instant now) {
        return pool.preparedQuery(REPLAY + " WHERE d.campaign_id = $2 AND d.status = 'FAILED'"
                + " AND d.campaign_id = c.id AND c.status <> 'FINISHED' AND NOT d.test"
                + " AND ($3::text IS NULL OR d.reason = $3) AND ($4::timestamptz IS NULL OR d.finished_at >= $4)")
                .execute(Tuple.of(Sql.ts(now), campaignId, reason, Sql.ts(since))).map(RowSet::rowCount);
    }

    private static final String REPLAY = "UPDATE deliveries d SET status = 'PENDING', reason = NULL, due_at = $1,"
            + " attempt_count = 0, locked_until = NULL, finished_at = NULL, updated_at = $1 FROM campaigns c";

    /** Cancels a campaign's deliveries that have not been sent (finish). */
    public Uni<Integer> cancelPending(SqlClient client, UUID campaignId, String reason, Instant now) {
        return client.preparedQuery("UPDATE deliveries SET status = 'CANCELLED', reason = $2, updated_at = $3,"
                + " finished_at = $3 WHERE campaign_id = $1 AND status = 'PENDING'")
                .execute(Tuple.of(campaignId, reason, Sql.ts(now))).map(RowSet::rowCount);
    }

    /** A delivery sent at once by test-send: stored as SENDING, claimed, with its rendered request. */
    public Uni<Void> insertTest(Claimed claim, Instant now) {
        return pool.preparedQuery("INSERT INTO deliveries (id, campaign_id, user_id, host, action_id, action_index,"
                + " status, test, due_at, locked_until, attempt_count, request, credentials, created_at, updated_at)"
                + " VALUES ($1, $2, $3, $4, $5, 0, 'SENDING', true, $6, $7, 1, $8::text::json, $9, $6, $6)")
                .execute(Tuple.from(new Object[] { claim.id(), claim.campaignId(), claim.userId(), claim.host(),
                        claim.actionId(), Sql.ts(now), Sql.ts(claim.lockedUntil()), json.write(claim.request()),
                        claim.credentials() }))
                .replaceWithVoid();
    }

    /** Filters of {@code GET /deliveries}; null fields do not filter. */
    public record Filter(UUID campaignId, String userId, String status, Instant since, Instant until, UUID after,
            int limit) {
    }

    /**
     * Deliveries newest first. Only the filters given are written into the statement, so that
     * Postgres plans each combination with the index it needs rather than one plan for all. A
     * user's deliveries are found campaign by campaign through the index that keeps entries
     * unique; deliveries have no index of their own by user (one index fewer per row of a run).
     */
    public Uni<List<DeliveryView>> list(Filter f) {
        List<String> where = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        if (f.campaignId() != null) {
            values.add(f.campaignId());
            where.add("campaign_id = $" + values.size());
        }
        if (f.userId() != null) {
            if (f.campaignId() == null) {
                where.add("campaign_id IN (SELECT c.id FROM campaigns c)");
            }
            values.add(f.userId());
            where.add("user_id = $" + values.size());
        }
        if (f.status() != null) {
            values.add(f.status());
            where.add("status = $" + values.size());
        }
        if (f.since() != null) {
            values.add(Sql.ts(f.since()));
            where.add("created_at >= $" + values.size());
        }
        if (f.until() != null) {
            values.add(Sql.ts(f.until()));
            where.add("created_at < $" + values.size());
        }
        if (f.after() != null) {
            values.add(f.after());
            where.add("id < $" + values.size());
        }
        values.add(f.limit());
        return pool.preparedQuery("SELECT " + VIEW_COLUMNS + " FROM deliveries"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY id DESC LIMIT $" + values.size())
                .execute(Tuple.from(values))
                .map(rows -> {
                    List<DeliveryView> out = new ArrayList<>(rows.size());
                    rows.forEach(row -> out.add(view(row, null, null)));
                    return out;
                });
    }

    /** One delivery with its request (credentials masked) and every attempt; null when unknown. */
    public Uni<DeliveryView> find(UUID id) {
        Uni<RowSet<Row>> delivery = pool.preparedQuery("SELECT " + VIEW_COLUMNS
                + ", request::text AS request, credentials IS NOT NULL AS has_credentials FROM deliveries WHERE id = $1")
                .execute(Tuple.of(id));
        Uni<RowSet<Row>> attempts = pool.preparedQuery("SELECT number, started_at, latency_ms, status_code, error,"
                + " response_headers::text AS response_headers, response_body FROM attempts WHERE delivery_id = $1"
                + " ORDER BY id").execute(Tuple.of(id));
        return Uni.combine().all().unis(delivery, attempts).asTuple().map(both -> {
            var it = both.getItem1().iterator();
            if (!it.hasNext()) {
                return null;
            }
            Row row = it.next();
            List<AttemptView> attemptViews = new ArrayList<>();
            for (Row a : both.getItem2()) {
                @SuppressWarnings("unchecked")
                Map<String, String> headers = json.read(a.getString("response_headers"), Map.class);
                attemptViews.add(new AttemptView(a.getInteger("number"), Sql.instant(a, "started_at"),
                        a.getInteger("latency_ms"), a.getInteger("status_code"), a.getString("error"), headers,
                        a.getString("response_body")));
            }
            RenderedRequest stored = json.read(row.getString("request"), RenderedRequest.class);
            RenderedRequest shown = stored == null ? null : Redaction.shown(stored, row.getBoolean("has_credentials"));
            return view(row, shown, attemptViews);
        });
    }

    private static DeliveryView view(Row row, RenderedRequest request, List<AttemptView> attempts) {
        return new DeliveryView(row.getUUID("id"), row.getUUID("campaign_id"), row.getUUID("action_id"),
                row.getString("user_id"), row.getUUID("run_id"), row.getUUID("entry_id"),
                DeliveryStatus.valueOf(row.getString("status")), row.getString("reason"), row.getBoolean("test"),
                row.getInteger("attempt_count"), row.getInteger("last_status_code"), row.getString("last_error"),
                Sql.instant(row, "due_at"), Sql.instant(row, "created_at"), Sql.instant(row, "updated_at"),
                Sql.instant(row, "finished_at"), request, attempts);
    }
}
