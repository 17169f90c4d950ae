package dev.herald.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.platform.Sql;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The runs table. A send creates its run as a {@link RunEntity} through Hibernate Reactive with
 * Panache, and the API reads runs the same way. A fire time's run is written with the SQL client,
 * in the transaction that locks the campaign and moves its next fire time (the unique key on
 * (campaign, fire time) is what makes it fire once), and a chunk's progress in the transaction
 * that writes the chunk's deliveries.
 */
@ApplicationScoped
public class RunRepository implements PanacheRepositoryBase<RunEntity, UUID> {

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
    public Uni<Boolean> insertScheduled(SqlClient client, UUID id, UUID campaignId, Instant fireTime,
            RunStatus status, Instant now) {
        return client.preparedQuery("INSERT INTO runs (id, campaign_id, kind, fire_time, status, writing, created_at)"
                + " VALUES ($1, $2, " + RunKind.SCHEDULED.sql() + ", $3, $4, $4 = " + RunStatus.STARTED.sql() + ", $5)"
                + " ON CONFLICT (campaign_id, fire_time) DO NOTHING")
                .execute(Tuple.of(id, campaignId, Sql.ts(fireTime), status.name(), Sql.ts(now)))
                .map(rows -> rows.rowCount() > 0);
    }

    // ---- the run API, through Panache ----------------------------------------------------------

    /** Stores a new run, in the caller's transaction. */
    public Uni<RunEntity> create(RunEntity run) {
        return persist(run);
    }

    /** A campaign's runs, newest first; {@code after} is the id of the last run of the previous page. */
    @WithSession
    public Uni<List<RunEntity>> page(UUID campaignId, UUID after, int limit) {
        if (after == null) {
            return find("campaignId", Sort.descending("id"), campaignId).range(0, limit - 1).list();
        }
        return find("campaignId = ?1 and id < ?2", Sort.descending("id"), campaignId, after).range(0, limit - 1)
                .list();
    }

    // ---- the engine, through the SQL client --------------------------------------------------

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
                // NO KEY UPDATE: the foreign key of run_counts shares the row while counts are
                // folded, and FOR UPDATE would skip the run then as if another writer had it.
                + " FROM runs WHERE id = $1 AND writing FOR NO KEY UPDATE SKIP LOCKED")
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

    /** The newest run of each of these campaigns, for lists that show one run per campaign. */
    public Uni<List<RunEntity>> newestOf(List<UUID> campaignIds) {
        return pool.preparedQuery("SELECT DISTINCT ON (campaign_id) id, campaign_id, kind, fire_time, status,"
                + " audience_size, users_written, writing, created_at FROM runs WHERE campaign_id = ANY($1)"
                + " ORDER BY campaign_id, id DESC")
                .execute(Tuple.of(campaignIds.toArray(UUID[]::new)))
                .map(rows -> {
                    List<RunEntity> out = new ArrayList<>();
                    for (Row row : rows) {
                        RunEntity run = new RunEntity();
                        run.id = row.getUUID("id");
                        run.campaignId = row.getUUID("campaign_id");
                        run.kind = RunKind.valueOf(row.getString("kind"));
                        run.fireTime = Sql.instant(row, "fire_time");
                        run.status = RunStatus.valueOf(row.getString("status"));
                        run.audienceSize = row.getInteger("audience_size");
                        run.usersWritten = row.getInteger("users_written");
                        run.writing = row.getBoolean("writing");
                        run.createdAt = Sql.instant(row, "created_at");
                        out.add(run);
                    }
                    return out;
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
}
