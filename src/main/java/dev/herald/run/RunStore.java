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
        return client.preparedQuery("INSERT INTO runs (id, campaign_id, kind, fire_time, status, created_at)"
                + " VALUES ($1, $2, " + RunKind.SCHEDULED.sql() + ", $3, $4, $5)"
                + " ON CONFLICT (campaign_id, fire_time) DO NOTHING")
                .execute(Tuple.of(id, campaignId, Sql.ts(fireTime), status.name(), Sql.ts(now)))
                .map(rows -> rows.rowCount() > 0);
    }

    public Uni<Void> insert(SqlClient client, UUID id, UUID campaignId, RunKind kind, Instant fireTime, String data,
            Instant now) {
        return client.preparedQuery("INSERT INTO runs (id, campaign_id, kind, fire_time, status, data, created_at)"
                + " VALUES ($1, $2, $3, $4, " + RunStatus.STARTED.sql() + ", $5::text::jsonb, $6)")
                .execute(Tuple.of(id, campaignId, kind.name(), Sql.ts(fireTime), data, Sql.ts(now)))
                .replaceWithVoid();
    }

    /** How many entries the run's fan-out wrote. */
    public Uni<Void> setAudienceSize(SqlClient client, UUID runId, int size) {
        return client.preparedQuery("UPDATE runs SET audience_size = $2 WHERE id = $1")
                .execute(Tuple.of(runId, size)).replaceWithVoid();
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
                        RunStatus stored = RunStatus.valueOf(row.getString("status"));
                        RunStatus status = stored != RunStatus.STARTED ? stored
                                : open ? RunStatus.IN_PROGRESS : RunStatus.COMPLETED;
                        out.add(new RunView(row.getUUID("id"), row.getUUID("campaign_id"),
                                RunKind.valueOf(row.getString("kind")), Sql.instant(row, "fire_time"), status, row.getInteger("audience_size"), byStatus,
                                Sql.instant(row, "created_at")));
                    }
                    return out;
                });
    }
}
