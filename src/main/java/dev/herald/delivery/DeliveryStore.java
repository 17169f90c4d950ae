package dev.herald.delivery;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.audience.Criteria;
import dev.herald.audience.SqlCompiler;
import dev.herald.platform.Ids;
import dev.herald.platform.Json;
import dev.herald.platform.Sql;
import dev.herald.platform.Transactions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The one writer of the deliveries and attempts tables: fan-out, trigger entries, cap skips,
 * claims, outcomes, retries, exits, cancels and erasure. Each SQL fragment that decides which
 * deliveries a statement touches is written here once; reads for the API are
 * {@link DeliveryQueries}.
 */
@ApplicationScoped
public class DeliveryStore {

    /**
     * The names of CampaignStatus.ACTIVE and FINISHED as SQL literals: claims and retries read the
     * campaigns' status, and this package sits below campaign, so it cannot name the enum.
     * {@code DependencyRulesTest} checks that they agree.
     */
    public static final String CAMPAIGN_ACTIVE = "'ACTIVE'";
    public static final String CAMPAIGN_FINISHED = "'FINISHED'";

    private static final String PENDING = DeliveryStatus.PENDING.sql();
    private static final String SENDING = DeliveryStatus.SENDING.sql();
    private static final String FAILED = DeliveryStatus.FAILED.sql();
    private static final String SKIPPED = DeliveryStatus.SKIPPED.sql();
    private static final String CANCELLED = DeliveryStatus.CANCELLED.sql();

    /**
     * Unfinished deliveries {@code x} as the index {@code deliveries_unfinished} defines them.
     * Only a statement meant to walk that index says this; one that finds deliveries by id or by
     * entry checks their status instead, which Postgres cannot take for the index's condition, so
     * it cannot pick that index on statistics that think it empty (V8 says when they do).
     */
    private static String unfinished(String x) {
        return x + ".finished_at IS NULL";
    }

    /**
     * Deliveries {@code x} that a claim may take at {@code $1}: unfinished, due, and not held by
     * a live claim. A SENDING one whose lease ended belongs to an instance that stopped.
     */
    private static String claimable(String x) {
        return x + ".status IN " + DeliveryStatus.UNFINISHED + " AND " + x + ".due_at <= $1 AND (" + x
                + ".locked_until IS NULL OR " + x + ".locked_until <= $1)";
    }

    /**
     * A condition on deliveries {@code alias} that keeps one per entry (an entry is the deliveries
     * that share its entry_id): first actions, other than those a per-user limit refused and test
     * sends. Per-user limits count these.
     */
    private static String firstOfEntry(String alias) {
        return alias + ".action_index = 0 AND NOT " + alias + ".test AND " + alias + ".reason IS DISTINCT FROM "
                + DeliveryReason.FREQUENCY_CAP.sql();
    }

    /**
     * The number of entries of campaign {@code campaign} for user {@code user} created after
     * {@code since} (a timestamptz, null for ever): what {@code limits.perUser} counts.
     */
    private static String entriesSince(String campaign, String user, String since) {
        return "(SELECT count(*) FROM deliveries en WHERE en.campaign_id = " + campaign + " AND en.user_id = " + user
                + " AND " + firstOfEntry("en") + " AND (" + since + "::timestamptz IS NULL OR en.created_at > "
                + since + "))";
    }

    /**
     * The trigger index can lag behind a campaign paused or deleted on another instance by a
     * moment; the database has the last word, and there is no foreign key to catch it.
     */
    private static final String STILL_ACTIVE = "EXISTS (SELECT 1 FROM campaigns WHERE id = $1 AND status = "
            + CAMPAIGN_ACTIVE + ")";

    private final Pool pool;
    private final Json json;
    /** Whether the last claim found an active campaign with maxPerMinute. */
    private volatile boolean limitedActive;

    public DeliveryStore(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
    }

    /**
     * How many more deliveries each destination host may be claimed for: {@code room[i]} for
     * {@code hosts[i]}, {@code others} for a host not named.
     */
    public record HostRoom(String[] hosts, Integer[] room, int others) {

        /** The room of {@code host}. */
        public int of(String host) {
            for (int i = 0; i < hosts.length; i++) {
                if (hosts[i].equals(host)) {
                    return room[i];
                }
            }
            return others;
        }

        /** Any host up to {@code limit}: for claims that no host's share holds back. */
        public static HostRoom any(int limit) {
            return new HostRoom(new String[0], new Integer[0], limit);
        }
    }

    /**
     * Claims due deliveries of active campaigns, oldest due first, skipping rows other instances
     * hold, and taking from each destination host at most its {@code room}. A host with no room
     * costs the claim one index probe: its due rows are not read. An entry's later actions have
     * no due time until the previous action ends, so order needs no check here. The claim
     * commits on its own, before any request is sent.
     *
     * <p>A campaign with {@code maxPerMinute} gets no more in a clock minute (UTC) than its limit,
     * counted in {@code campaign_minutes} across instances. Its due deliveries beyond that are put
     * off to the following minutes, each after those put off before it in the same minute, so they
     * do not stand at the head of every claim, and they come due at the campaign's rate. Those
     * campaigns are claimed by a statement of their own, run only while one is active (as the
     * last claim found), so that the common claim stays as cheap as it can be: the counting made
     * every claim about 40% dearer in {@code bench/dispatch}.
     */
    public Uni<Claims> claim(Instant now, Instant lockedUntil, int limit, HostRoom room) {
        // Rate-limited campaigns first: they take at most their minute's share, so they cannot
        // crowd the others out, and a backlog of the others cannot hold them back.
        boolean limitedFirst = limitedActive;
        Uni<Claims> first = limitedFirst
                ? inClaimTransaction(LIMITED_CLAIM_SETTINGS,
                        conn -> claimLimited(conn, claimParameters(now, lockedUntil, limit, room)))
                : Uni.createFrom().item(new Claims(List.of(), 0, 0));
        return first.chain(limited -> inClaimTransaction(CLAIM_SETTINGS, conn -> claimOthers(conn,
                claimParameters(now, lockedUntil, limit - limited.claimed().size(), room)))
                .chain(others -> {
                    Claims both = limited.and(others);
                    if (limitedFirst || !limitedActive || both.claimed().size() >= limit) {
                        return Uni.createFrom().item(both);
                    }
                    // A rate-limited campaign became active since the last claim: its turn now.
                    return inClaimTransaction(LIMITED_CLAIM_SETTINGS, conn -> claimLimited(conn,
                            claimParameters(now, lockedUntil, limit - both.claimed().size(), room))).map(both::and);
                }));
    }

    /** A claim statement in a transaction of its own with {@code settings}, sent in one round trip. */
    private Uni<Claims> inClaimTransaction(String settings, Function<SqlConnection, Uni<Claims>> statement) {
        return Transactions.inTransactionOfOne(pool, settings, statement);
    }

    /** Index scans only, and no JIT compilation: what {@link #BY_INDEX} and {@link #BY_INDEX_KEPT} share. */
    private static final String INDEX_ONLY = "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;"
            + " SET LOCAL jit = off";

    /**
     * Settings under which the claim, storing renderings and recording outcomes read only the
     * deliveries they touch, whatever the statistics say. Each statement gives every scan of
     * deliveries an index condition of its own (the ids it names, or a host), and with
     * sequential and bitmap scans off no join order reads more. Each is planned afresh at every
     * execution (but {@link #CLAIM_OTHERS} and {@link #RECORD_LAST}, which have one plan at any
     * size): a prepared statement otherwise keeps the generic plan it made while the table was
     * small until the next ANALYZE, whereas a fresh plan sizes the table by its pages as they are
     * now (planned on a small table, a claim of 200 read 240,000 rows of a run written after, and
     * recording 200 outcomes 4 million). Statistics taken over finished history say almost
     * no delivery is unfinished, whence a bitmap of every due delivery (70 ms per claim of 200
     * with 140,000 due, against 0.5 ms for the index walk). JIT compilation is off: these
     * statements never repay it. {@code StaleStatisticsTest} holds the first case.
     */
    static final String BY_INDEX = "SET LOCAL plan_cache_mode = force_custom_plan; " + INDEX_ONLY;

    /** {@link #BY_INDEX}, but the plan made at the first execution is kept. */
    private static final String BY_INDEX_KEPT = "SET LOCAL plan_cache_mode = force_generic_plan; " + INDEX_ONLY;

    /**
     * A claim walks each host's due deliveries in due-time order and stops at its limit, and
     * reads no other delivery ({@link #BY_INDEX}). Each scan of deliveries in {@link #CLAIM_OTHERS}
     * has an index condition of its own (a host, or the ids the walk found), which is its plan at
     * any size of the table, so the plan made at its first execution is kept: planned afresh, a
     * claim spent 0.40 ms being planned and 0.71 ms running in a {@code bench/dispatch} pass
     * ({@code StaleStatisticsTest} holds the plan made on an empty table and on a small one).
     *
     * <p>Nor does a claim wait for its commit to reach disk (a third of a claim's time in
     * {@code bench/dispatch}). A claim lost with the database's last moments before a crash
     * leaves its deliveries as they were, due, and they are sent again: at least once, with the
     * same webhook-id, as the contract says. An outcome waits for the disk, and takes every
     * claim before it along.
     */
    static final String CLAIM_SETTINGS = BY_INDEX_KEPT + "; SET LOCAL synchronous_commit = off";

    /** The claim of rate-limited campaigns, which counts their minutes too, is planned afresh. */
    private static final String LIMITED_CLAIM_SETTINGS = BY_INDEX + "; SET LOCAL synchronous_commit = off";

    private static Tuple claimParameters(Instant now, Instant lockedUntil, int limit, HostRoom room) {
        return Tuple.from(new Object[] { Sql.ts(now), Sql.ts(lockedUntil), limit, room.hosts(), room.room(),
                room.others() });
    }

    /**
     * The first parts of a claim with parameters {@link #claimParameters}: {@code hosts}, each
     * host with unfinished deliveries, found by one probe of the host index apiece; then
     * {@code due}, locked: up to $3 due deliveries of the campaigns {@code campaigns} admits
     * (a condition on {@code x}), oldest first, at most each host's room from its own rows.
     */
    private static String dueByHost(String campaigns) {
        return "WITH RECURSIVE hosts (host) AS ("
                + "   (SELECT x.host FROM deliveries x WHERE " + unfinished("x") + " ORDER BY x.host LIMIT 1)"
                + "   UNION ALL SELECT (SELECT x.host FROM deliveries x WHERE " + unfinished("x") + " AND x.host > h.host"
                + "   ORDER BY x.host LIMIT 1) FROM hosts h WHERE h.host IS NOT NULL),"
                + " oldest AS (SELECT y.id FROM hosts h CROSS JOIN LATERAL (SELECT x.id, x.due_at FROM deliveries x"
                + "   WHERE x.host = h.host AND " + unfinished("x") + " AND " + claimable("x") + " AND " + campaigns
                + "   ORDER BY x.due_at LIMIT least($3, coalesce(($5::int[])[array_position($4::text[], h.host)], $6))) y"
                + "   ORDER BY y.due_at LIMIT $3),"
                // Rows another instance claimed since they were read are skipped.
                + " due AS (SELECT x.id, x.campaign_id, x.due_at FROM deliveries x"
                + "   WHERE " + idIn("x", "oldest") + " AND " + claimable("x")
                + "   FOR UPDATE OF x SKIP LOCKED)";
    }

    /**
     * Deliveries {@code x} whose ids the CTE {@code cte} holds, as an index condition of x's own
     * ({@link #BY_INDEX}) rather than a join.
     */
    private static String idIn(String x, String cte) {
        return x + ".id = ANY (ARRAY(SELECT " + cte + ".id FROM " + cte + "))";
    }

    private Uni<Claims> claimOthers(SqlConnection conn, Tuple parameters) {
        return conn.preparedQuery(CLAIM_OTHERS)
                .execute(parameters)
                .map(rows -> {
                    Row head = rows.iterator().next();
                    limitedActive = head.getBoolean("limited");
                    return new Claims(claimedRows(rows), 0, head.getInteger("lost"));
                });
    }

    /** The claim of deliveries of active campaigns with maxPerMinute, within each one's minute. */
    private Uni<Claims> claimLimited(SqlConnection conn, Tuple parameters) {
        return conn.preparedQuery(dueByHost("x.campaign_id = ANY (ARRAY(SELECT c.id FROM campaigns c"
                + " WHERE c.status = " + CAMPAIGN_ACTIVE + " AND c.max_per_minute IS NOT NULL))") + ","
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
                + "   WHERE " + idIn("o", "due") + " AND o.id = r.id AND r.k > q.granted RETURNING o.id),"
                + " claimed AS (UPDATE deliveries d SET status = " + SENDING + ", locked_until = $2,"
                + "   attempt_count = d.attempt_count + 1, updated_at = $1"
                + "   FROM ranked r JOIN quota q ON q.campaign_id = r.campaign_id"
                + "   WHERE " + idIn("d", "due") + " AND d.id = r.id AND r.k <= q.granted"
                + "   RETURNING " + CLAIMED + ")"
                // One row at least, so that how many were put off is known when none was claimed.
                + " SELECT claimed.*, (SELECT count(*) FROM later)::int AS put_off, " + LOST
                + " FROM (VALUES (1)) AS one (x) LEFT JOIN claimed ON true")
                .execute(parameters)
                .map(rows -> new Claims(claimedRows(rows), rows.iterator().next().getInteger("put_off"),
                        rows.iterator().next().getInteger("lost")));
    }

    /** Rows a claim read as due that another instance took before it could lock them. */
    private static final String LOST = "((SELECT count(*) FROM oldest) - (SELECT count(*) FROM due))::int AS lost";

    /** What a claim returns of each delivery it took. */
    private static final String CLAIMED = "d.id, d.campaign_id, d.entry_id, d.user_id, d.host, d.action_id,"
            + " d.action_index, d.attempt_count, d.locked_until, d.request::text AS request, d.credentials,"
            + " (SELECT r.data::text FROM runs r WHERE r.id = d.run_id) AS trigger_data,"
            + " CASE WHEN d.event_id IS NOT NULL THEN (SELECT json_build_object('name', ev.name,"
            + "   'time', to_char(ev.time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
            + "   'params', ev.params)::text FROM events ev WHERE ev.id = d.event_id) END AS event_data";

    /** The claim of deliveries of active campaigns without maxPerMinute (package-private for its plan's test). */
    static final String CLAIM_OTHERS = dueByHost("x.campaign_id <> ALL (SELECT c.id FROM campaigns c"
            + " WHERE c.status <> " + CAMPAIGN_ACTIVE + " OR c.max_per_minute IS NOT NULL)") + ","
            + " claimed AS (UPDATE deliveries d SET status = " + SENDING + ", locked_until = $2,"
            + "   attempt_count = d.attempt_count + 1, updated_at = $1 WHERE " + idIn("d", "due")
            + "   RETURNING " + CLAIMED + ")"
            // One row at least, so that whether rate-limited campaigns are active is known.
            + " SELECT claimed.*, EXISTS (SELECT 1 FROM campaigns c WHERE c.status = " + CAMPAIGN_ACTIVE
            + "   AND c.max_per_minute IS NOT NULL) AS limited, " + LOST
            + " FROM (VALUES (1)) AS one (x) LEFT JOIN claimed ON true";

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
                    row.getString("event_data"), false));
        }
        return out;
    }

    /**
     * What one claim took; how many due deliveries it put off for their campaigns' maxPerMinute;
     * and how many it read as due that another instance took first (more may be due behind them).
     */
    public record Claims(List<Claimed> claimed, int putOff, int lost) {

        Claims and(Claims more) {
            List<Claimed> all = new ArrayList<>(claimed);
            all.addAll(more.claimed());
            return new Claims(all, putOff + more.putOff(), lost + more.lost());
        }
    }

    /** How many deliveries of active campaigns are due and unclaimed at {@code now}, and the oldest due time. */
    public record Due(long count, Instant oldest) {
    }

    /** Counts what a claim would find (but for busy hosts and rate limits): the lag an operator watches. */
    public Uni<Due> due(Instant now) {
        return pool.preparedQuery("SELECT count(*) AS n, min(x.due_at) AS oldest FROM deliveries x"
                + " WHERE " + unfinished("x") + " AND " + claimable("x")
                + " AND x.campaign_id = ANY (ARRAY(SELECT c.id FROM campaigns c WHERE c.status = " + CAMPAIGN_ACTIVE + "))")
                .execute(Tuple.of(Sql.ts(now)))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Due(row.getLong("n"), Sql.instant(row, "oldest"));
                });
    }

    /**
     * Gives a claimed delivery back without an attempt (its host could not take it now): it is
     * due again at {@code dueAt} and the claim's attempt is not counted. A request rendered for
     * the claim is kept, so that it is not rendered again.
     */
    public Uni<Void> release(Claimed claim, Instant dueAt, Instant now) {
        boolean keep = claim.renderedNow();
        return pool.preparedQuery("UPDATE deliveries SET status = " + PENDING + ", locked_until = NULL, due_at = $2,"
                + " attempt_count = attempt_count - 1, updated_at = $3, " + KEEP_REQUEST
                + " WHERE id = $1 AND status = " + SENDING + " AND locked_until = $4")
                .execute(Tuple.from(new Object[] { claim.id(), Sql.ts(dueAt), Sql.ts(now), Sql.ts(claim.lockedUntil()),
                        keep ? json.write(claim.request()) : null, keep ? claim.credentials() : null }))
                .replaceWithVoid();
    }

    /**
     * Stores a request rendered for a claim ($5, its credentials $6; null when none was) unless
     * the delivery has one: once stored, a request is never rendered again. The request is sent
     * as text: a string parameter taken as json directly would be stored as one JSON string.
     */
    private static final String KEEP_REQUEST = keepRequest("", "$5::text", "$6");

    private static String keepRequest(String x, String request, String credentials) {
        return "request = coalesce(" + x + "request, " + request + "::json), credentials = CASE WHEN " + x
                + "request IS NULL THEN " + credentials + " ELSE " + x + "credentials END";
    }

    /** FAILED → PENDING now, attempts counted from one again; false when it was not FAILED. */
    public Uni<Boolean> retry(UUID id, Instant now) {
        return pool.preparedQuery(RETRY + " WHERE d.id = $2 AND d.status = " + FAILED
                + " AND d.campaign_id = c.id AND c.status <> " + CAMPAIGN_FINISHED)
                .execute(Tuple.of(Sql.ts(now), id)).map(rows -> rows.rowCount() > 0);
    }

    /** Retries a campaign's FAILED deliveries, of one reason and finished since a time if given. */
    public Uni<Integer> retryAll(UUID campaignId, DeliveryReason reason, Instant since, Instant now) {
        return pool.preparedQuery(RETRY + " WHERE d.campaign_id = $2 AND d.status = " + FAILED
                + " AND d.campaign_id = c.id AND c.status <> " + CAMPAIGN_FINISHED + " AND NOT d.test"
                + " AND ($3::text IS NULL OR d.reason = $3) AND ($4::timestamptz IS NULL OR d.finished_at >= $4)")
                .execute(Tuple.of(Sql.ts(now), campaignId, reason == null ? null : reason.name(), Sql.ts(since)))
                .map(RowSet::rowCount);
    }

    private static final String RETRY = "UPDATE deliveries d SET status = " + PENDING + ", reason = NULL, due_at = $1,"
            + " attempt_count = 0, locked_until = NULL, finished_at = NULL, updated_at = $1 FROM campaigns c";

    /** Cancels a campaign's deliveries that have not been sent (finish). */
    public Uni<Integer> cancelPending(SqlClient client, UUID campaignId, Instant now) {
        return client.preparedQuery("UPDATE deliveries SET status = " + CANCELLED + ", reason = "
                + DeliveryReason.CAMPAIGN_FINISHED.sql() + ", updated_at = $2, finished_at = $2"
                + " WHERE campaign_id = $1 AND status = " + PENDING)
                .execute(Tuple.of(campaignId, Sql.ts(now))).map(RowSet::rowCount);
    }

    /** Cancels what is pending for a user in these campaigns ({@code exitOn}). */
    public Uni<Integer> exit(SqlClient client, String userId, List<UUID> campaignIds, Instant now) {
        return client.preparedQuery("UPDATE deliveries SET status = " + CANCELLED + ", reason = "
                + DeliveryReason.USER_EXITED.sql() + ", updated_at = $3, finished_at = $3"
                + " WHERE user_id = $1 AND campaign_id = ANY($2) AND status = " + PENDING)
                .execute(Tuple.of(userId, campaignIds.toArray(UUID[]::new), Sql.ts(now)))
                .map(RowSet::rowCount);
    }

    /**
     * Deletes a campaign's deliveries with their attempts, when the campaign itself is deleted:
     * deliveries carry no foreign key to it, so that fan-out writes fast. In the caller's
     * transaction ({@link #deleteWithAttempts}).
     */
    public Uni<Void> deleteOfCampaign(SqlConnection conn, UUID campaignId) {
        return deleteWithAttempts(conn, "x.campaign_id = $1", Tuple.of(campaignId));
    }

    /**
     * Deletes a user's deliveries with their attempts, when the user is erased. They are found
     * campaign by campaign, through the index that keeps entries unique. In the caller's
     * transaction ({@link #deleteWithAttempts}).
     */
    public Uni<Void> deleteOfUser(SqlConnection conn, String userId) {
        return deleteWithAttempts(conn, "x.campaign_id IN (SELECT c.id FROM campaigns c) AND x.user_id = $1",
                Tuple.of(userId));
    }

    /**
     * Deletes the deliveries {@code x} that {@code which} names, and their attempts (attempts have
     * no foreign key: V9). The deletion of a delivery waits for an outcome being recorded on it
     * and, once done, no outcome is recorded for it; but the attempt of an outcome that committed
     * while the statement ran is not in the statement's snapshot. Only a delivery that was
     * unfinished in that snapshot can have one, so a second statement, with a snapshot of its
     * own, deletes those deliveries' attempts. They are few: a user's, or those a FINISHED
     * campaign still had in flight (a campaign is deleted only when DRAFT or FINISHED).
     */
    private static Uni<Void> deleteWithAttempts(SqlConnection conn, String which, Tuple parameters) {
        return conn.preparedQuery("WITH unfinished AS MATERIALIZED (SELECT x.id FROM deliveries x WHERE " + which
                + "   AND x.status IN " + DeliveryStatus.UNFINISHED + "),"
                + " gone AS (DELETE FROM deliveries x WHERE " + which + " RETURNING x.id),"
                + " a AS (DELETE FROM attempts WHERE delivery_id IN (SELECT gone.id FROM gone))"
                + " SELECT coalesce(array_agg(unfinished.id), '{}') AS unfinished FROM unfinished")
                .execute(parameters)
                .map(rows -> rows.iterator().next().getArrayOfUUIDs("unfinished"))
                .chain(unfinished -> unfinished.length == 0 ? Uni.createFrom().voidItem()
                        : conn.preparedQuery("DELETE FROM attempts WHERE delivery_id = ANY ($1)")
                                .execute(Tuple.of(unfinished)).replaceWithVoid());
    }

    /** A delivery sent at once by test-send: stored as SENDING, claimed, with its rendered request. */
    public Uni<Void> insertTest(Claimed claim, Instant now) {
        return pool.preparedQuery("INSERT INTO deliveries (id, campaign_id, user_id, host, action_id, action_index,"
                + " status, test, due_at, locked_until, attempt_count, request, credentials, created_at, updated_at)"
                + " VALUES ($1, $2, $3, $4, $5, 0, " + SENDING + ", true, $6, $7, 1, $8::text::json, $9, $6, $6)")
                .execute(Tuple.from(new Object[] { claim.id(), claim.campaignId(), claim.userId(), claim.host(),
                        claim.actionId(), Sql.ts(now), Sql.ts(claim.lockedUntil()), json.write(claim.request()),
                        claim.credentials() }))
                .replaceWithVoid();
    }

    /**
     * Deletes up to {@code limit} finished deliveries (with their attempts) that
     * finished before {@code finishedBefore}, except those of {@code keptCampaigns}. Deliveries are
     * walked in id order, which is creation order, from the oldest up to {@code idsUpTo}; rows
     * another instance is deleting are skipped. Returns how many were deleted. A finished
     * delivery gets no attempt, so the statement's snapshot holds all of theirs.
     */
    public Uni<Integer> deleteFinished(Instant finishedBefore, UUID idsUpTo, List<UUID> keptCampaigns, int limit) {
        return pool.preparedQuery("WITH gone AS (DELETE FROM deliveries WHERE id IN (SELECT x.id FROM deliveries x"
                + " WHERE x.id <= $2 AND x.status NOT IN " + DeliveryStatus.UNFINISHED + " AND x.finished_at < $1"
                + " AND x.campaign_id <> ALL($3) ORDER BY x.id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING id),"
                + " a AS (DELETE FROM attempts WHERE delivery_id IN (SELECT gone.id FROM gone))"
                + " SELECT count(*)::int AS n FROM gone")
                .execute(Tuple.of(Sql.ts(finishedBefore), idsUpTo, keptCampaigns.toArray(UUID[]::new), limit))
                .map(rows -> rows.iterator().next().getInteger("n"));
    }

    // ---- entries -------------------------------------------------------------------------------

    /** What an entry is made of: one delivery per action, in order, each to its action's host. */
    public record EntryPlan(UUID campaignId, UUID[] actionIds, String[] hosts) {

        Integer[] indexes() {
            Integer[] indexes = new Integer[actionIds.length];
            for (int i = 0; i < indexes.length; i++) {
                indexes[i] = i;
            }
            return indexes;
        }
    }

    /** Entries of a campaign for a user since {@code since} (null: ever), sent or not. */
    public Uni<Long> countEntries(SqlClient client, UUID campaignId, String userId, Instant since) {
        return client.preparedQuery("SELECT " + entriesSince("$1", "$2", "$3") + " AS n")
                .execute(Tuple.of(campaignId, userId, Sql.ts(since)))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    /**
     * An entry refused by the campaign's per-user limit: recorded as a SKIPPED delivery of the
     * first action, in no entry.
     */
    public Uni<Void> skipCapped(SqlClient client, EntryPlan plan, String userId, UUID eventId, Instant now) {
        return client.preparedQuery("INSERT INTO deliveries (campaign_id, user_id, event_id, host, action_id,"
                + " action_index, status, reason, created_at, updated_at, finished_at)"
                + " SELECT $1, $2, $3, $4, $5, 0, " + SKIPPED + ", " + DeliveryReason.FREQUENCY_CAP.sql()
                + ", $6, $6, $6 WHERE " + STILL_ACTIVE)
                .execute(Tuple.of(plan.campaignId(), userId, eventId, plan.hosts()[0], plan.actionIds()[0],
                        Sql.ts(now)))
                .replaceWithVoid();
    }

    /**
     * One triggered entry for the user (at most one per event: a repeat writes nothing) as one
     * delivery per action; the first is due at {@code firstDue}, the others wait for the action
     * before them. With {@code claimedUntil}, the first is written claimed by this instance until
     * then (a first attempt under way), and is returned to be handed to its dispatcher after the
     * commit. None when the entry existed or the campaign is no longer active.
     */
    public Uni<Entered> enter(SqlClient client, EntryPlan plan, String userId, UUID eventId, Instant firstDue,
            Instant now, Instant claimedUntil) {
        return client.preparedQuery("WITH d AS (INSERT INTO deliveries AS d (campaign_id, entry_id, user_id, event_id,"
                + "   host, action_id, action_index, status, due_at, locked_until, attempt_count, created_at, updated_at)"
                + " SELECT $1, $9, $2, $3, a.host, a.action_id, a.action_index,"
                + "   CASE WHEN a.action_index = 0 AND $10::timestamptz IS NOT NULL THEN " + SENDING + " ELSE " + PENDING
                + "   END, CASE WHEN a.action_index = 0 THEN $5::timestamptz END,"
                + "   CASE WHEN a.action_index = 0 THEN $10::timestamptz END,"
                + "   CASE WHEN a.action_index = 0 AND $10::timestamptz IS NOT NULL THEN 1 ELSE 0 END, $4, $4"
                + " FROM unnest($6::uuid[], $7::int[], $8::text[]) AS a(action_id, action_index, host)"
                + " WHERE " + STILL_ACTIVE + " ON CONFLICT DO NOTHING RETURNING d.status, " + CLAIMED + ")"
                + " SELECT * FROM d WHERE d.action_index = 0")
                .execute(Tuple.from(new Object[] { plan.campaignId(), userId, eventId, Sql.ts(now), Sql.ts(firstDue),
                        plan.actionIds(), plan.indexes(), plan.hosts(), Ids.newId(), Sql.ts(claimedUntil) }))
                .map(rows -> new Entered(rows.size(), claimedUntil == null ? List.of() : claimedRows(rows)));
    }

    /** What {@link #enter} wrote: entries (0 or 1), and the first delivery if it was written claimed. */
    public record Entered(int entries, List<Claimed> claimed) {
    }

    /**
     * How a run's first actions are spread: at each user's {@code localTime} (in their timeZone
     * attribute, among {@code knownZones}, else {@code defaultZone}), and at most
     * {@code perMinute} a minute. Nulls: not spread.
     */
    public record Pacing(LocalDateTime localTime, String defaultZone, String[] knownZones, Integer perMinute) {
    }

    /** A run's audience: all users or those of {@code userIds}, who match {@code audience}. */
    public record RunAudience(String[] userIds, Criteria audience) {
    }

    /**
     * Where a chunk of a run's audience starts: after user {@code after} (null: the first), with
     * {@code offset} users of the run read before it.
     */
    public record ChunkStart(String after, int offset, int size) {
    }

    /** What a chunk wrote: users read, entries made, the last user id (null when none was read). */
    public record Chunk(int users, int entered, String last) {

        /** A chunk that read less than it could was the run's last. */
        public boolean last(ChunkStart start) {
            return users < start.size();
        }
    }

    /**
     * Has Postgres take new statistics of deliveries when a run has written, since its start,
     * at least as many deliveries as the table had when it was last analyzed ({@code written}:
     * the run's deliveries so far); autovacuum takes a minute or more to notice. Claims and
     * outcomes no longer depend on it ({@link #BY_INDEX}); the other statements on deliveries
     * (the due count, finishing campaigns, the API's listings) are still planned from
     * statistics. Between two ANALYZEs the planner scales the row count it knows by the table's
     * pages as they are now, so a run needs the first one (an empty table's statistics say there
     * are no rows) more than later ones: the table grows fourfold at most between two, which is
     * three ANALYZEs for a run of a million on an empty table, each beside the chunk after it.
     */
    public Uni<Void> analyzeIfOutgrown(long written) {
        return pool.query("SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'deliveries'::regclass").execute()
                .map(rows -> rows.iterator().next().getLong("n"))
                .chain(known -> written < 1_000 || written < 4 * Math.max(known, 0)
                        ? Uni.createFrom().voidItem()
                        // SKIP_LOCKED: when autovacuum is at it already, its statistics will do.
                        : pool.query("ANALYZE (SKIP_LOCKED) deliveries").execute().replaceWithVoid());
    }

    /**
     * Writes one chunk of a run's audience: for each of the next {@code start.size()} users in id
     * order, one entry, which is one delivery per action, in one statement. The first action is
     * due at {@code firstDue}; the others have no due time until the previous action ends. A user
     * already at the campaign's per-user limit ({@code capMax} entries since {@code capSince})
     * gets a SKIPPED delivery instead, reason FREQUENCY_CAP. A chunk starts after the last user
     * the run wrote, and the unique key of entries refuses a user written twice.
     *
     * <p>Users are read in id order, so the index that keeps entries unique (campaign, user, ...)
     * takes the new rows in its own order, and numbered across the run as they are read: each
     * entry's and delivery's id is computed from that number rather than drawn at random per row.
     */
    public Uni<Chunk> fanOut(SqlClient client, UUID runId, EntryPlan plan, RunAudience who, Integer capMax,
            Instant capSince, Instant firstDue, Instant now, Pacing pacing, ChunkStart start) {
        SqlCompiler.Compiled inAudience = SqlCompiler.compile(who.audience(), 22, now);
        UUID entryBase = Ids.newId();
        UUID deliveryBase = Ids.newId();
        return client.preparedQuery("WITH c AS ("
                + " SELECT u.id, $21::int + row_number() OVER (ORDER BY u.id) AS n,"
                + " ($9::int IS NOT NULL AND " + entriesSince("$1", "u.id", "$10") + " >= $9) AS capped,"
                // Each user's own local time, if the run has one: their timeZone attribute when
                // Postgres knows it, else the default; a time already past is now.
                + " CASE WHEN $11::timestamp IS NULL THEN $7::timestamptz ELSE greatest($3, $11::timestamp AT TIME ZONE"
                + "   CASE WHEN u.attributes ->> 'timeZone' = ANY($13::text[]) THEN u.attributes ->> 'timeZone'"
                + "   ELSE $12::text END) END AS due"
                // Both conditions on u.id bound the index scan: written as "$n IS NULL OR ...", a
                // generic plan filtered them, and every chunk walked the users before its cursor.
                + " FROM (SELECT * FROM users u WHERE " + (who.userIds() == null ? "$4::text[] IS NULL"
                        : "u.id = ANY($4)") + " AND u.id > $19"
                + "   AND " + inAudience.sql() + " ORDER BY u.id LIMIT $20) u),"
                // A capped user gets its first action only, SKIPPED and in no entry.
                // maxPerMinute: the n-th user's first action waits n / rate whole minutes. Capped
                // users leave gaps in that order, which only slows the run.
                + " d AS (INSERT INTO deliveries (id, campaign_id, entry_id, run_id, user_id, host, action_id,"
                + "   action_index, status, reason, due_at, created_at, updated_at, finished_at)"
                + " SELECT herald_uuid_at($17, $18, (c.n - 1) * cardinality($5::uuid[]) + a.action_index), $1,"
                + "   CASE WHEN NOT c.capped THEN herald_uuid_at($15, $16, c.n) END, $2, c.id, a.host, a.action_id,"
                + "   a.action_index, CASE WHEN c.capped THEN " + SKIPPED + " ELSE " + PENDING + " END,"
                + "   CASE WHEN c.capped THEN " + DeliveryReason.FREQUENCY_CAP.sql() + " END,"
                + "   CASE WHEN NOT c.capped AND a.action_index = 0 THEN c.due + CASE WHEN $14::int IS NULL"
                + "     THEN interval '0' ELSE ((c.n - 1) / $14::int) * interval '1 minute' END END,"
                + "   $3, $3, CASE WHEN c.capped THEN $3::timestamptz END"
                + " FROM c CROSS JOIN unnest($5::uuid[], $6::int[], $8::text[]) AS a(action_id, action_index, host)"
                + " WHERE a.action_index = 0 OR NOT c.capped"
                + " RETURNING status = " + PENDING + " AND action_index = 0 AS entered)"
                + " SELECT (SELECT count(*) FROM c)::int AS users, (SELECT max(c.id) FROM c) AS last,"
                + " (SELECT count(*) FROM d WHERE entered)::int AS entered")
                .execute(Tuple.from(params(new Object[] { plan.campaignId(), runId, Sql.ts(now), who.userIds(),
                        plan.actionIds(), plan.indexes(), Sql.ts(firstDue), plan.hosts(), capMax, Sql.ts(capSince),
                        pacing.localTime(), pacing.defaultZone(), pacing.knownZones(), pacing.perMinute(),
                        entryBase.getMostSignificantBits(), Ids.randomBits(entryBase),
                        // The empty string sorts before every user id.
                        deliveryBase.getMostSignificantBits(), Ids.randomBits(deliveryBase),
                        start.after() == null ? "" : start.after(),
                        start.size(), start.offset() }, inAudience.params())))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Chunk(row.getInteger("users"), row.getInteger("entered"), row.getString("last"));
                });
    }

    private static List<Object> params(Object[] fixed, List<Object> more) {
        List<Object> all = new ArrayList<>(fixed.length + more.size());
        Collections.addAll(all, fixed);
        all.addAll(more);
        return all;
    }

    // ---- outcomes ------------------------------------------------------------------------------

    /**
     * One outcome of a claimed delivery: its next state, and the attempt made ({@code result},
     * null when it ended without one). {@code nextActionDue} makes the entry's next action due.
     */
    public record Outcome(Claimed claim, AttemptResult result, DeliveryStatus status, DeliveryReason reason,
            Instant nextAttemptAt, Instant now, Instant nextActionDue) {
    }

    /**
     * Stores outcomes and their attempts: each delivery {@code x} of the outcomes {@code v} that
     * {@code found} names, only while its claim holds; gives back in {@code d} what the next
     * action needs.
     */
    private static String recordOutcomes(String found) {
        return "WITH v AS MATERIALIZED (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[],"
                + "   $4::timestamptz[], $5::int[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[],"
                + "   $10::int[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[], $15::text[], $16::text[])"
                + "   AS v(id, status, reason, next_attempt, status_code, error, finished_at, locked_until, started_at,"
                + "   latency_ms, response_headers, response_body, next_action_due, updated_at, request, credentials)),"
                + " d AS (UPDATE deliveries x SET status = v.status, reason = v.reason,"
                + "   " + keepRequest("x.", "v.request", "v.credentials") + ","
                + "   due_at = coalesce(v.next_attempt, x.due_at), locked_until = NULL,"
                // The claim counted an attempt; an end without one (a skip) takes it back.
                + "   attempt_count = CASE WHEN v.started_at IS NULL THEN x.attempt_count - 1 ELSE x.attempt_count END,"
                + "   last_status_code = CASE WHEN v.started_at IS NULL THEN x.last_status_code ELSE v.status_code END,"
                + "   last_error = CASE WHEN v.started_at IS NULL THEN x.last_error ELSE v.error END,"
                + "   updated_at = v.updated_at, finished_at = v.finished_at"
                + "   FROM v WHERE " + found + " AND x.status = " + SENDING
                + "   AND x.locked_until = v.locked_until"
                // What the attempt and the next action need of v comes along, so no CTE is joined again.
                + "   RETURNING x.id, x.attempt_count, x.campaign_id, x.user_id, coalesce(x.run_id, x.event_id) AS source,"
                + "   x.action_index, v.started_at, v.latency_ms, v.status_code, v.error, v.response_headers,"
                + "   v.response_body, v.next_action_due),"
                + " a AS (INSERT INTO attempts (delivery_id, number, started_at, latency_ms, status_code, error,"
                + "   response_headers, response_body)"
                + "   SELECT d.id, d.attempt_count, d.started_at, d.latency_ms, d.status_code, d.error,"
                + "   d.response_headers::jsonb, d.response_body FROM d WHERE d.started_at IS NOT NULL)";
    }

    /**
     * Records outcomes of which some make their entry's next action due, with parameters in
     * {@link #record}'s order (package-private for its plan's test). Planned afresh each time
     * ({@link #BY_INDEX}): a plan made on a small table finds the next action through the
     * campaign's index alone.
     */
    static final String RECORD = recordOutcomes("x.id = ANY ($1) AND x.id = v.id")
            + ", n AS (UPDATE deliveries n SET due_at = d.next_action_due FROM d"
            // The entry's next action, found through the index that keeps entries unique.
            + " WHERE d.next_action_due IS NOT NULL AND n.campaign_id = d.campaign_id AND n.user_id = d.user_id"
            + " AND coalesce(n.run_id, n.event_id) = d.source AND n.action_index = d.action_index + 1"
            + " AND n.status = " + PENDING + ")"
            + " SELECT id FROM d";

    /**
     * Records outcomes none of which makes a next action due: most of them. The deliveries are
     * found by their ids as the index condition, which is the one plan at any size of the table;
     * so it keeps the plan it made at its first execution ({@link #RECORD_LAST_SETTINGS}) instead
     * of planning each batch afresh (planning took more Postgres time than the recording of a
     * batch of one or two, bench/RESULTS.md). Joined by id alone, a plan made on an empty table
     * walked every delivery for each batch.
     */
    static final String RECORD_LAST = recordOutcomes("x.id = ANY ($1) AND x.id = v.id") + " SELECT id FROM d";

    /**
     * {@link #BY_INDEX}, but the plan made once is kept, and the outcomes are joined to their
     * deliveries by hash: a nested loop over the ids read the outcomes once for each delivery.
     */
    static final String RECORD_LAST_SETTINGS = BY_INDEX_KEPT + "; SET LOCAL enable_nestloop = off";

    /**
     * Records outcomes in one statement, reading no delivery but theirs and their next actions
     * ({@link #RECORD}, or {@link #RECORD_LAST} when no outcome makes a next action due). Each
     * delivery is still updated atomically (its attempt, its new state and its next action
     * together), and only while its claim holds. Unlike a claim, this waits for the disk. A
     * request rendered for its claim is stored here, with its first attempt, rather than before
     * it is sent: that is one write of the row fewer per webhook. A crash between sending and
     * recording has the delivery rendered and sent again, with the same
     * webhook-id, as a crash of the database before the claim reached the disk already did.
     * Gives the ids of the deliveries recorded: an outcome whose claim no longer held is not.
     */
    public Uni<Set<UUID>> record(List<Outcome> batch) {
        int n = batch.size();
        UUID[] ids = new UUID[n];
        String[] statuses = new String[n];
        String[] reasons = new String[n];
        OffsetDateTime[] nextAttempts = new OffsetDateTime[n];
        Integer[] codes = new Integer[n];
        String[] errors = new String[n];
        OffsetDateTime[] finished = new OffsetDateTime[n];
        OffsetDateTime[] leases = new OffsetDateTime[n];
        OffsetDateTime[] started = new OffsetDateTime[n];
        Integer[] latencies = new Integer[n];
        String[] headers = new String[n];
        String[] bodies = new String[n];
        OffsetDateTime[] nextActions = new OffsetDateTime[n];
        OffsetDateTime[] updated = new OffsetDateTime[n];
        String[] requests = new String[n];
        String[] credentials = new String[n];
        for (int i = 0; i < n; i++) {
            Outcome o = batch.get(i);
            AttemptResult r = o.result();
            ids[i] = o.claim().id();
            statuses[i] = o.status().name();
            reasons[i] = o.reason() == null ? null : o.reason().name();
            nextAttempts[i] = Sql.ts(o.nextAttemptAt());
            codes[i] = r == null ? null : r.statusCode();
            errors[i] = r == null ? null : r.error();
            finished[i] = o.status().isFinal() ? Sql.ts(o.now()) : null;
            leases[i] = Sql.ts(o.claim().lockedUntil());
            started[i] = r == null ? null : Sql.ts(r.startedAt());
            latencies[i] = r == null ? null : r.latencyMs();
            headers[i] = r == null ? null : json.write(r.responseHeaders());
            bodies[i] = r == null ? null : r.responseBody();
            nextActions[i] = Sql.ts(o.nextActionDue());
            updated[i] = Sql.ts(o.now());
            if (o.claim().renderedNow()) {
                requests[i] = json.write(o.claim().request());
                credentials[i] = o.claim().credentials();
            }
        }
        Tuple parameters = Tuple.from(new Object[] { ids, statuses, reasons, nextAttempts, codes, errors, finished,
                leases, started, latencies, headers, bodies, nextActions, updated, requests, credentials });
        boolean goesOn = batch.stream().anyMatch(o -> o.nextActionDue() != null);
        return Transactions.inTransactionOfOne(pool, goesOn ? BY_INDEX : RECORD_LAST_SETTINGS,
                conn -> conn.preparedQuery(goesOn ? RECORD : RECORD_LAST).execute(parameters))
                .map(rows -> {
                    Set<UUID> recorded = new HashSet<>();
                    rows.forEach(row -> recorded.add(row.getUUID(0)));
                    return recorded;
                });
    }
}
