package dev.herald.campaign;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectReader;

import dev.herald.delivery.DeliveryStatus;
import dev.herald.platform.Json;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Stores campaigns, their actions included, in the campaigns table. */
@ApplicationScoped
public class CampaignRepository {

    private static final String COLUMNS = "id, name, description, status, delivery::text AS delivery, "
            + "audience::text AS audience, limits::text AS limits, exit_on::text AS exit_on, actions::text AS actions, "
            + "created_at, updated_at, started_at, finished_at, next_run_at, retired_secrets::text AS retired_secrets";

    private static final String ACTIVE = CampaignStatus.ACTIVE.sql();
    private static final String PAUSED = CampaignStatus.PAUSED.sql();
    private static final String FINISHED = CampaignStatus.FINISHED.sql();

    private final Pool pool;
    private final Json json;
    private final ObjectReader actionsReader;
    private final ObjectReader retiredReader;

    public CampaignRepository(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
        this.actionsReader = json.mapper().readerForListOf(Action.class);
        this.retiredReader = json.mapper().readerFor(new TypeReference<Map<UUID, List<RetiredSecret>>>() {
        });
    }

    public Uni<Campaign> insert(Campaign c) {
        return pool.preparedQuery("INSERT INTO campaigns (id, name, description, status, delivery, audience, limits, "
                + "exit_on, actions, created_at, updated_at) VALUES ($1, $2, $3, $4, $5::text::json, $6::text::json, "
                + "$7::text::json, $8::text::json, $9::text::json, $10, $11) RETURNING " + COLUMNS)
                .execute(Tuple.from(new Object[] { c.id(), c.name(), c.description(), c.status().name(),
                        json.write(c.plan().fields()), json.write(c.audience().json()), json.write(c.limits().json()),
                        json.write(c.exitOn().json()), json.write(c.actions()), Sql.ts(c.createdAt()),
                        Sql.ts(c.updatedAt()) }))
                .map(this::first);
    }

    public Uni<Campaign> find(UUID id) {
        return find(pool, id);
    }

    public Uni<Campaign> find(SqlClient client, UUID id) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM campaigns WHERE id = $1")
                .execute(Tuple.of(id)).map(this::first);
    }

    /** Reads a campaign and locks it for an update in the same transaction. */
    public Uni<Campaign> findForUpdate(SqlClient client, UUID id) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM campaigns WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(id)).map(this::first);
    }

    /** Stores new signing secrets of a campaign's actions and the secrets they replaced. */
    public Uni<Void> updateSecrets(SqlClient client, UUID id, List<Action> actions,
            Map<UUID, List<RetiredSecret>> retired, Instant now) {
        return client.preparedQuery("UPDATE campaigns SET actions = $2::text::json, retired_secrets = $3::text::json,"
                + " updated_at = $4 WHERE id = $1")
                .execute(Tuple.of(id, json.write(actions), json.write(retired), Sql.ts(now))).replaceWithVoid();
    }

    /** The campaigns whose triggers or exits are live: ACTIVE triggered ones, and any ACTIVE or PAUSED with exitOn. */
    public Uni<List<Campaign>> findLive() {
        return pool.query("SELECT " + COLUMNS + " FROM campaigns WHERE (status = " + ACTIVE + " AND delivery_type = "
                + PlanType.TRIGGERED.sql() + ") OR (status IN (" + ACTIVE + ", " + PAUSED + ")"
                + " AND exit_on IS NOT NULL)")
                .execute().map(this::all);
    }

    public Uni<List<Campaign>> findAll(List<UUID> ids) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM campaigns WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(UUID[]::new))).map(this::all);
    }

    /** Newest first; {@code after} is the id of the last campaign of the previous page. */
    public Uni<List<Campaign>> list(String status, String type, String q, UUID after, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM campaigns"
                + " WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR delivery_type = $2)"
                + " AND ($3::text IS NULL OR strpos(lower(name), lower($3)) > 0) AND ($4::uuid IS NULL OR id < $4)"
                + " ORDER BY id DESC LIMIT $5")
                .execute(Tuple.of(status, type, q, after, limit)).map(this::all);
    }

    /** Replaces the definition of a campaign that is not FINISHED; null when none matched. */
    public Uni<Campaign> replace(UUID id, CampaignValidator.Checked c, Instant now) {
        return pool.preparedQuery("UPDATE campaigns SET name = $2, description = $3, delivery = $4::text::json, "
                + "audience = $5::text::json, limits = $6::text::json, exit_on = $7::text::json, "
                + "actions = $8::text::json, updated_at = $9 WHERE id = $1 AND status <> " + FINISHED + " RETURNING " + COLUMNS)
                .execute(Tuple.from(new Object[] { id, c.name(), c.description(), json.write(c.plan().fields()),
                        json.write(c.audience().json()), json.write(c.limits().json()), json.write(c.exitOn().json()),
                        json.write(c.actions()), Sql.ts(now) }))
                .map(this::first);
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
        return client.preparedQuery("SELECT " + COLUMNS + " FROM campaigns WHERE id = $1 AND status = " + ACTIVE
                + " AND next_run_at <= $2 FOR UPDATE SKIP LOCKED")
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
                + " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id"
                + "   AND d.status IN " + DeliveryStatus.UNFINISHED + ")")
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
        try {
            List<Action> actions = actionsReader.readValue(row.getString("actions"));
            String retiredJson = row.getString("retired_secrets");
            Map<UUID, List<RetiredSecret>> retired = retiredJson == null ? Map.of() : retiredReader.readValue(retiredJson);
            return new Campaign(row.getUUID("id"), row.getString("name"), row.getString("description"),
                    CampaignStatus.valueOf(row.getString("status")), Audience.of(json.tree(row.getString("audience"))),
                    SendPlan.of(json.read(row.getString("delivery"), PlanFields.class)),
                    Limits.of(json.tree(row.getString("limits"))), ExitOn.of(json.tree(row.getString("exit_on"))), actions, Sql.instant(row, "created_at"),
                    Sql.instant(row, "updated_at"), Sql.instant(row, "started_at"), Sql.instant(row, "finished_at"),
                    Sql.instant(row, "next_run_at"), retired);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored actions cannot be read", e);
        }
    }
}
