package dev.herald.delivery;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.platform.DatabaseOutage;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Each run's deliveries counted by status: the tables {@code run_counts} and
 * {@code run_count_changes}, which triggers on deliveries keep (migration V11). Reading a run's
 * counts costs a few rows whatever the run's size.
 */
@ApplicationScoped
public class RunCounts {

    private static final Logger LOG = Logger.getLogger(RunCounts.class);

    /** Changes folded by one statement; a pass folds until none is left. */
    static final int FOLD_BATCH = 10_000;

    private final Pool pool;

    public RunCounts(Pool pool) {
        this.pool = pool;
    }

    /**
     * The deliveries of each of these runs, counted by status; a run with none is absent. One
     * statement, so a fold committing meanwhile is seen whole or not at all.
     */
    public Uni<Map<UUID, Map<DeliveryStatus, Integer>>> byRun(List<UUID> runIds) {
        if (runIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery("SELECT run_id, status, sum(n)::int AS n FROM ("
                + " SELECT run_id, status, n FROM run_counts WHERE run_id = ANY($1)"
                + " UNION ALL SELECT run_id, status, n FROM run_count_changes WHERE run_id = ANY($1)) c"
                + " GROUP BY run_id, status HAVING sum(n) <> 0")
                .execute(Tuple.of(runIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, Map<DeliveryStatus, Integer>> counts = new HashMap<>();
                    for (Row row : rows) {
                        counts.computeIfAbsent(row.getUUID("run_id"), run -> new EnumMap<>(DeliveryStatus.class))
                                .put(DeliveryStatus.valueOf(row.getString("status")), row.getInteger("n"));
                    }
                    return counts;
                });
    }

    /**
     * Folds the changes appended since the last pass into the counts, so that reading a run stays
     * a few rows however long it has been sending. Instances fold side by side: each takes changes
     * no other is folding.
     */
    @Scheduled(every = "${herald.delivery.count-interval:5s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return fold().replaceWithVoid()
                .onFailure().recoverWithUni(failure -> {
                    DatabaseOutage.warn(LOG, "folding run counts", failure);
                    return Uni.createFrom().voidItem();
                });
    }

    /** Folds every change there is now; returns how many. */
    public Uni<Long> fold() {
        return foldBatch().chain(folded -> folded < FOLD_BATCH ? Uni.createFrom().item((long) folded)
                : fold().map(rest -> folded + rest));
    }

    /**
     * One statement moves a batch of changes into the counts, so no reader sees them in both or
     * in neither. Changes of a run deleted meanwhile (its campaign deleted) are dropped.
     */
    private Uni<Integer> foldBatch() {
        return pool.preparedQuery("WITH moved AS (DELETE FROM run_count_changes WHERE id IN ("
                + "   SELECT id FROM run_count_changes ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)"
                + "   RETURNING run_id, status, n),"
                + " summed AS (SELECT run_id, status, sum(n) AS n FROM moved GROUP BY run_id, status),"
                + " folded AS (INSERT INTO run_counts AS c (run_id, status, n)"
                + "   SELECT s.run_id, s.status, s.n FROM summed s WHERE EXISTS (SELECT 1 FROM runs r WHERE r.id = s.run_id)"
                + "   ORDER BY s.run_id, s.status"
                + "   ON CONFLICT (run_id, status) DO UPDATE SET n = c.n + excluded.n)"
                + " SELECT count(*)::int AS n FROM moved")
                .execute(Tuple.of(FOLD_BATCH))
                .map(rows -> rows.iterator().next().getInteger("n"));
    }
}
