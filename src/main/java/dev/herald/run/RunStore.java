package dev.herald.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.delivery.DeliveryStatus;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Runs, and the set-based fan-out that writes a run's entries and deliveries. */
@ApplicationScoped
public class RunStore {

    private final Pool pool;

    public RunStore(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /**
     * A run for a scheduled fire time, unless that fire time already has one (on any instance):
     * true when this call made it. {@code status} is STARTED, or SKIPPED for a misfire.
     */
    public Uni<Boolean> insertScheduled(SqlClient client, UUID id, UUID campaignId, Instant fireTime,
            RunStatus status, Instant now) {
        return client.preparedQuery("INSERT INTO runs (id, campaign_id, kind, fire_time, status, writing, created_at)"
                + " VALUES ($1, $2, " + RunKind.SCHEDULED.sql() + ", $3, $4, $4 = " + RunStatus.STARTED.sql() + ", $5)"
                + " ON CONFLICT (campaign_id, fire_time) DO NOTHING")
                .execute(Tuple.of(id, campaignId, Sql.ts(fireTime), status.name(), Sql.ts(now)))
                .map(rows -> rows.rowCount() > 0);
    }

    /** A manual run, still to be written; {@code userIds} (null: everyone) narrows its audience. */
    public Uni<Void> insert(SqlClient client, UUID id, UUID campaignId, RunKind kind, String[] userIds, String data,
            Instant now) {
        return client.preparedQuery("INSERT INTO runs (id, campaign_id, kind, status, user_ids, data, writing,"
                + " created_at) VALUES ($1, $2, $3, " + RunStatus.STARTED.sql() + ", $4, $5::text::jsonb, true, $6)")
                .execute(Tuple.from(new Object[] { id, campaignId, kind.name(), userIds, data, Sql.ts(now) }))
                .replaceWithVoid();
    }

    /** A run whose audience is still being written: what its next chunk needs. */
    public record Writing(UUID id, UUID campaignId, String[] userIds, String cursor, int usersWritten,
            Instant createdAt) {
    }

    /**
     * The run if its audience is still being written, locked until the caller's transaction
     * ends; null when it is done, or another instance is writing a chunk of it right now.
     */
    public Uni<Writing> lockWriting(SqlClient client, UUID id) {
        return client.preparedQuery("SELECT id, campaign_id, user_ids, cursor, users_written, created_at"
                + " FROM runs WHERE id = $1 AND writing FOR UPDATE SKIP LOCKED")
                .execute(Tuple.of(id))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return null;
                    }
                    Row row = it.next();
                    return new Writing(row.getUUID("id"), row.getUUID("campaign_id"),
                            row.getArrayOfStrings("user_ids"), row.getString("cursor"), row.getInteger("users_written"),
                            Sql.instant(row, "created_at"));
                });
    }

    /**
     * Records a chunk written, in the chunk's transaction; after the last one the run is done and
     * its audience size known. {@code last} is the chunk's last user id (null: it read none).
     */
    public Uni<Void> chunkWritten(SqlClient client, UUID id, int users, int entered, String last, boolean done) {
        return client.preparedQuery("UPDATE runs SET cursor = coalesce($4, cursor), users_written = users_written + $2,"
                + " entered = entered + $3, writing = NOT $5,"
                + " audience_size = CASE WHEN $5 THEN entered + $3 END WHERE id = $1")
                .execute(Tuple.of(id, users, entered, last, done)).replaceWithVoid();
    }

    /** Ends the writing of a run whose campaign is gone or FINISHED. */
    public Uni<Void> stopWriting(SqlClient client, UUID id) {
        return client.preparedQuery("UPDATE runs SET writing = false, audience_size = entered WHERE id = $1")
                .execute(Tuple.of(id)).replaceWithVoid();
    }

    /** Runs still being written, on any instance or by none (an instance stopped halfway). */
    public Uni<List<UUID>> writingIds() {
        return pool.query("SELECT id FROM runs WHERE writing ORDER BY id LIMIT 100").execute()
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getUUID("id")));
                    return ids;
                });
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

    /** A campaign's runs, newest first, with their deliveries counted by status. */
    public Uni<List<RunView>> list(UUID campaignId, UUID after, int limit) {
        StringBuilder counts = new StringBuilder();
        for (DeliveryStatus status : DeliveryStatus.values()) {
            counts.append(", count(d.id) FILTER (WHERE d.status = '").append(status.name()).append("')::int AS ")
                    .append(status.name().toLowerCase());
        }
        return pool.preparedQuery("SELECT r.id, r.campaign_id, r.kind, r.fire_time, r.status, r.audience_size,"
                + " r.users_written, r.writing, r.created_at" + counts
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
                        RunStatus stored = RunStatus.valueOf(row.getString("status"));
                        RunStatus status = stored != RunStatus.STARTED ? stored
                                : row.getBoolean("writing") ? RunStatus.WRITING_USERS
                                : open ? RunStatus.IN_PROGRESS : RunStatus.COMPLETED;
                        out.add(new RunView(row.getUUID("id"), row.getUUID("campaign_id"),
                                RunKind.valueOf(row.getString("kind")), Sql.instant(row, "fire_time"), status,
                                row.getInteger("audience_size"), row.getInteger("users_written"), byStatus,
                                Sql.instant(row, "created_at")));
                    }
                    return out;
                });
    }
}
