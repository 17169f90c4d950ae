package dev.herald.campaign;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectReader;

import dev.herald.platform.Json;
import dev.herald.platform.Sql;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The campaigns table, actions and signing secrets included, and the per-minute counters of
 * {@code maxPerMinute}. The campaign API reads and writes campaigns as {@link CampaignEntity}
 * through Hibernate Reactive with Panache; the engine's units of work (finishing and deleting,
 * which change deliveries in the same transaction; a fire time, which locks its campaign and
 * writes the run and its fan-out; the dispatcher's and the trigger index's reads) use the
 * reactive SQL client. One unit of work never uses both.
 */
@ApplicationScoped
public class CampaignRepository implements PanacheRepositoryBase<CampaignEntity, UUID> {

    private static final String COLUMNS = "id, name, description, status, delivery::text AS delivery, "
            + "audience::text AS audience, limits::text AS limits, exit_on::text AS exit_on, actions::text AS actions, "
            + "created_at, updated_at, started_at, finished_at, next_run_at, retired_secrets::text AS retired_secrets";

    private static final String ACTIVE = CampaignStatus.ACTIVE.sql();
    private static final String PAUSED = CampaignStatus.PAUSED.sql();
    private static final String FINISHED = CampaignStatus.FINISHED.sql();

    /**
     * Campaigns' parsed JSON kept ({@link #parts}), bounded by the length of that JSON (a campaign
     * may hold a megabyte of it): cleared when it grows past this many characters.
     */
    private static final long PARSED_CHARS = 2_000_000;

    private final Pool pool;
    private final Json json;
    private final Map<UUID, Parts> parsed = new ConcurrentHashMap<>();
    private final AtomicLong parsedChars = new AtomicLong();
    private final ObjectReader actionsReader;
    private final ObjectReader retiredReader;

    public CampaignRepository(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
        this.actionsReader = json.mapper().readerForListOf(Action.class);
        this.retiredReader = json.mapper().readerFor(new TypeReference<Map<UUID, List<RetiredSecret>>>() {
        });
    }

    // ---- the campaign API, through Panache ------------------------------------------------------

    @WithSession
    public Uni<Campaign> find(UUID id) {
        return findById(id).map(this::campaign);
    }

    /** Newest first; {@code after} is the id of the last campaign of the previous page. */
    @WithSession
    public Uni<List<Campaign>> list(CampaignStatus status, PlanType type, String q, UUID after, int limit) {
        StringBuilder where = new StringBuilder("true");
        Parameters parameters = new Parameters();
        if (status != null) {
            where.append(" and status = :status");
            parameters.and("status", status);
        }
        if (type != null) {
            where.append(" and deliveryType = :type");
            parameters.and("type", type.name());
        }
        if (q != null) {
            where.append(" and locate(lower(:q), lower(name)) > 0");
            parameters.and("q", q);
        }
        if (after != null) {
            where.append(" and id < :after");
            parameters.and("after", after);
        }
        return find(where.toString(), Sort.descending("id"), parameters).range(0, limit - 1).list()
                .map(found -> found.stream().map(this::campaign).toList());
    }

    /** Stores a new campaign, in the caller's transaction. */
    public Uni<Campaign> insert(Campaign campaign) {
        return persist(entity(campaign)).replaceWith(campaign);
    }

    /** Reads a campaign and locks its row until the caller's transaction ends; null when there is none. */
    public Uni<Campaign> lock(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE).map(this::campaign);
    }

    /** Stores a campaign read in the caller's transaction as it now is. */
    public Uni<Campaign> save(Campaign campaign) {
        return getSession().chain(session -> session.merge(entity(campaign))).replaceWith(campaign);
    }

    // ---- the engine, through the SQL client --------------------------------------------------

    /** The campaigns whose triggers or exits are live: ACTIVE triggered ones, and any ACTIVE or PAUSED with exitOn. */
    public Uni<List<Campaign>> findLive() {
        return pool.query("SELECT " + COLUMNS + " FROM campaigns WHERE (status = " + ACTIVE + " AND delivery_type = "
                + PlanType.TRIGGERED.sql() + ") OR (status IN (" + ACTIVE + ", " + PAUSED + ")"
                + " AND exit_on IS NOT NULL)")
                .execute().map(this::all);
    }

    /** The campaigns that are not FINISHED: what history must still be kept for. */
    public Uni<List<Campaign>> findUnfinished() {
        return pool.query("SELECT " + COLUMNS + " FROM campaigns WHERE status <> " + FINISHED).execute()
                .map(this::all);
    }

    public Uni<List<Campaign>> findAll(List<UUID> ids) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM campaigns WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(UUID[]::new))).map(this::all);
    }

    /** Moves a campaign to {@code to} if it is in one of {@code from}; null when it was not. */
    public Uni<Campaign> transition(SqlClient client, UUID id, Set<CampaignStatus> from, CampaignStatus to,
            Instant now) {
        String[] fromNames = from.stream().map(Enum::name).toArray(String[]::new);
        return client.preparedQuery("UPDATE campaigns SET status = $3, updated_at = $4,"
                + " started_at = CASE WHEN $3 = " + ACTIVE + " THEN coalesce(started_at, $4) ELSE started_at END,"
                + " finished_at = CASE WHEN $3 = " + FINISHED + " THEN $4 ELSE finished_at END"
                + " WHERE id = $1 AND status = ANY($2) RETURNING " + COLUMNS)
                .execute(Tuple.of(id, fromNames, to.name(), Sql.ts(now)))
                .map(this::first);
    }

    /** Ids of ACTIVE campaigns with a fire time due, oldest first. */
    public Uni<List<UUID>> dueIds(Instant now, int limit) {
        return pool.preparedQuery("SELECT id FROM campaigns WHERE status = " + ACTIVE + " AND next_run_at <= $1"
                + " ORDER BY next_run_at LIMIT $2")
                .execute(Tuple.of(Sql.ts(now), limit))
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getUUID("id")));
                    return ids;
                });
    }

    /** The campaign if it is still ACTIVE and due, locked for this transaction; null if another instance has it. */
    public Uni<Campaign> lockDue(SqlClient client, UUID id, Instant now) {
        // NO KEY UPDATE: runs and campaign_minutes share the row through their foreign keys while
        // a run is written or a claim counts its minute; FOR UPDATE would skip the campaign then.
        return client.preparedQuery("SELECT " + COLUMNS + " FROM campaigns WHERE id = $1 AND status = " + ACTIVE
                + " AND next_run_at <= $2 FOR NO KEY UPDATE SKIP LOCKED")
                .execute(Tuple.of(id, Sql.ts(now))).map(this::first);
    }

    public Uni<Void> setNextRun(SqlClient client, UUID id, Instant nextRunAt) {
        return client.preparedQuery("UPDATE campaigns SET next_run_at = $2 WHERE id = $1")
                .execute(Tuple.of(id, Sql.ts(nextRunAt))).replaceWithVoid();
    }

    /**
     * Finishes ACTIVE scheduled campaigns that will not fire again, once every delivery of theirs
     * is final. Returns how many.
     */
    public Uni<Integer> finishCompleted(Instant now) {
        return pool.preparedQuery("UPDATE campaigns c SET status = " + FINISHED + ", finished_at = $1, updated_at = $1"
                + " WHERE c.status = " + ACTIVE + " AND c.delivery_type IN (" + PlanType.ONE_TIME.sql() + ", "
                + PlanType.RECURRING.sql() + ") AND c.next_run_at IS NULL"
                + " AND EXISTS (SELECT 1 FROM runs r WHERE r.campaign_id = c.id)"
                + " AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.campaign_id = c.id AND r.writing)"
                // finished_at IS NULL, as the index of unfinished deliveries says it (V8), so
                // that this may look there rather than through all of a campaign's deliveries.
                + " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.finished_at IS NULL)")
                .execute(Tuple.of(Sql.ts(now))).map(RowSet::rowCount);
    }

    /** Drops the maxPerMinute counters of minutes before {@code before}; claims only read the current one. */
    public Uni<Void> forgetMinutesBefore(Instant before) {
        return pool.preparedQuery("DELETE FROM campaign_minutes WHERE minute < $1")
                .execute(Tuple.of(Sql.ts(before))).replaceWithVoid();
    }

    /** Deletes a DRAFT or FINISHED campaign with its runs (by cascade); false when none was deleted. */
    public Uni<Boolean> delete(SqlClient client, UUID id) {
        return client.preparedQuery("DELETE FROM campaigns WHERE id = $1 AND status IN (" + CampaignStatus.DRAFT.sql() + ", "
                + FINISHED + ")")
                .execute(Tuple.of(id)).map(rows -> rows.rowCount() > 0);
    }

    /** Drops a deleted campaign's parsed JSON, secrets included, from memory. */
    public void forget(UUID id) {
        Parts gone = parsed.remove(id);
        if (gone != null) {
            parsedChars.addAndGet(-gone.chars());
        }
    }

    /** Whether this campaign's parsed JSON is kept in memory; for tests. */
    boolean keepsParsed(UUID id) {
        return parsed.containsKey(id);
    }

    private Campaign first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? map(it.next()) : null;
    }

    private List<Campaign> all(RowSet<Row> rows) {
        List<Campaign> out = new ArrayList<>(rows.size());
        rows.forEach(row -> out.add(map(row)));
        return out;
    }

    private Campaign map(Row row) {
        CampaignEntity e = new CampaignEntity();
        e.id = row.getUUID("id");
        e.name = row.getString("name");
        e.description = row.getString("description");
        e.status = CampaignStatus.valueOf(row.getString("status"));
        e.delivery = row.getString("delivery");
        e.audience = row.getString("audience");
        e.limits = row.getString("limits");
        e.exitOn = row.getString("exit_on");
        e.actions = row.getString("actions");
        e.retiredSecrets = row.getString("retired_secrets");
        e.createdAt = Sql.instant(row, "created_at");
        e.updatedAt = Sql.instant(row, "updated_at");
        e.startedAt = Sql.instant(row, "started_at");
        e.finishedAt = Sql.instant(row, "finished_at");
        e.nextRunAt = Sql.instant(row, "next_run_at");
        return campaign(e);
    }

    /** The typed campaign of a stored row, which was checked when it was saved. */
    private Campaign campaign(CampaignEntity e) {
        if (e == null) {
            return null;
        }
        Parts parts = parts(e);
        return new Campaign(e.id, e.name, e.description, e.status, parts.audience(), parts.plan(), parts.limits(),
                parts.exitOn(), parts.actions(), e.createdAt, e.updatedAt, e.startedAt, e.finishedAt, e.nextRunAt,
                parts.retired());
    }

    /**
     * The typed parts of a row's JSON columns: those parsed last time for this campaign while
     * its JSON is the same, else parsed now. The dispatcher reads a batch's campaigns again for
     * every claim, and parsing their JSON each time cost more than reading them.
     */
    private Parts parts(CampaignEntity e) {
        Parts known = parsed.get(e.id);
        if (known != null && known.parsedFrom(e)) {
            return known;
        }
        Parts parts;
        try {
            List<Action> actions = actionsReader.readValue(e.actions);
            Map<UUID, List<RetiredSecret>> retired = e.retiredSecrets == null ? Map.of()
                    : retiredReader.readValue(e.retiredSecrets);
            parts = new Parts(e.delivery, e.audience, e.limits, e.exitOn, e.actions, e.retiredSecrets,
                    SendPlan.of(json.read(e.delivery, PlanFields.class)), Audience.of(json.tree(e.audience)),
                    Limits.of(json.tree(e.limits)), ExitOn.of(json.tree(e.exitOn)),
                    Collections.unmodifiableList(actions), Collections.unmodifiableMap(retired));
        } catch (JsonProcessingException failure) {
            throw new IllegalStateException("Stored actions cannot be read", failure);
        }
        // Counted loosely under concurrent reads: the bound only needs to hold roughly.
        if (parsedChars.addAndGet(parts.chars()) > PARSED_CHARS) {
            parsed.clear();
            parsedChars.set(parts.chars());
        }
        Parts replaced = parsed.put(e.id, parts);
        if (replaced != null) {
            parsedChars.addAndGet(-replaced.chars());
        }
        return parts;
    }

    /** A campaign's JSON columns as stored, and what they were parsed into. */
    private record Parts(String deliveryJson, String audienceJson, String limitsJson, String exitOnJson,
            String actionsJson, String retiredJson, SendPlan plan, Audience audience, Limits limits, ExitOn exitOn,
            List<Action> actions, Map<UUID, List<RetiredSecret>> retired) {

        long chars() {
            return (long) deliveryJson.length() + actionsJson.length() + length(audienceJson) + length(limitsJson)
                    + length(exitOnJson) + length(retiredJson);
        }

        private static int length(String json) {
            return json == null ? 0 : json.length();
        }

        boolean parsedFrom(CampaignEntity e) {
            return deliveryJson.equals(e.delivery) && actionsJson.equals(e.actions)
                    && Objects.equals(audienceJson, e.audience) && Objects.equals(limitsJson, e.limits)
                    && Objects.equals(exitOnJson, e.exitOn) && Objects.equals(retiredJson, e.retiredSecrets);
        }
    }

    /** The row of a campaign, its parts written as the JSON they were given as. */
    private CampaignEntity entity(Campaign c) {
        CampaignEntity e = new CampaignEntity();
        e.id = c.id();
        e.name = c.name();
        e.description = c.description();
        e.status = c.status();
        e.delivery = json.write(c.plan().fields());
        e.audience = json.write(c.audience().json());
        e.limits = json.write(c.limits().json());
        e.exitOn = json.write(c.exitOn().json());
        e.actions = json.write(c.actions());
        e.retiredSecrets = c.retiredSecrets() == null || c.retiredSecrets().isEmpty() ? null
                : json.write(c.retiredSecrets());
        e.createdAt = c.createdAt();
        e.updatedAt = c.updatedAt();
        e.startedAt = c.startedAt();
        e.finishedAt = c.finishedAt();
        e.nextRunAt = c.nextRunAt();
        return e;
    }
}
