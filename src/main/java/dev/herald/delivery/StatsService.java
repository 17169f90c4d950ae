package dev.herald.delivery;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.platform.ProblemException;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/** Computes {@code GET /campaigns/{id}/stats} in three set-based queries. Test sends are left out. */
@ApplicationScoped
public class StatsService {

    static final int MAX_BUCKETS = 1000;

    private final Pool pool;
    private final Clock clock;

    public StatsService(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    public Uni<CampaignStats> stats(UUID campaignId, Instant createdAt, List<UUID> actionIds, String sinceText, String untilText, String bucketText) {
        Instant since = sinceText == null || sinceText.isBlank() ? createdAt : instant("since", sinceText);
        Instant until = untilText == null || untilText.isBlank() ? Sql.millis(clock.instant()).plusMillis(1)
                : instant("until", untilText);
        Duration bucket;
        try {
            bucket = Duration.parse(bucketText == null || bucketText.isBlank() ? "PT1H" : bucketText);
        } catch (DateTimeException e) {
            throw ProblemException.invalid("bucket", "must be an ISO-8601 duration such as PT1H");
        }
        if (bucket.compareTo(Duration.ofMinutes(1)) < 0) {
            throw ProblemException.invalid("bucket", "must be at least PT1M");
        }
        if (!until.isAfter(since)) {
            throw ProblemException.invalid("until", "must be after since");
        }
        if (Duration.between(since, until).dividedBy(bucket) >= MAX_BUCKETS) {
            throw ProblemException.invalid("bucket", "makes more than " + MAX_BUCKETS
                    + " buckets between since and until; choose a longer one");
        }
        Tuple window = Tuple.of(campaignId, Sql.ts(since), Sql.ts(until));
        Uni<List<Row>> counts = rows(pool.preparedQuery("SELECT action_id, status, count(*)::int AS n FROM deliveries"
                + " WHERE campaign_id = $1 AND NOT test AND created_at >= $2 AND created_at < $3"
                + " GROUP BY action_id, status").execute(window));
        Uni<List<Row>> latency = rows(pool.preparedQuery("SELECT d.action_id, GROUPING(d.action_id) AS overall,"
                + " percentile_cont(0.5) WITHIN GROUP (ORDER BY a.latency_ms) AS p50,"
                + " percentile_cont(0.95) WITHIN GROUP (ORDER BY a.latency_ms) AS p95,"
                + " percentile_cont(0.99) WITHIN GROUP (ORDER BY a.latency_ms) AS p99"
                + " FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
                + " WHERE d.campaign_id = $1 AND NOT d.test AND d.created_at >= $2 AND d.created_at < $3"
                + " AND a.status_code IS NOT NULL"
                + " GROUP BY GROUPING SETS ((d.action_id), ())").execute(window));
        Uni<List<Row>> series = rows(pool.preparedQuery("SELECT date_bin(make_interval(secs => $4), created_at, $2)"
                + " AS start, status, count(*)::int AS n FROM deliveries"
                + " WHERE campaign_id = $1 AND NOT test AND created_at >= $2 AND created_at < $3"
                + " GROUP BY 1, 2 ORDER BY 1")
                .execute(Tuple.of(campaignId, Sql.ts(since), Sql.ts(until), (double) bucket.toSeconds())));
        Uni<List<Row>> latencySeries = rows(pool.preparedQuery("SELECT date_bin(make_interval(secs => $4),"
                + " d.created_at, $2) AS start,"
                + " percentile_cont(0.5) WITHIN GROUP (ORDER BY a.latency_ms) AS p50,"
                + " percentile_cont(0.95) WITHIN GROUP (ORDER BY a.latency_ms) AS p95,"
                + " percentile_cont(0.99) WITHIN GROUP (ORDER BY a.latency_ms) AS p99"
                + " FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
                + " WHERE d.campaign_id = $1 AND NOT d.test AND d.created_at >= $2 AND d.created_at < $3"
                + " AND a.status_code IS NOT NULL GROUP BY 1")
                .execute(Tuple.of(campaignId, Sql.ts(since), Sql.ts(until), (double) bucket.toSeconds())));
        return Uni.combine().all().unis(counts, latency, series, latencySeries).asTuple().map(all -> {
            Map<UUID, Map<String, Integer>> byAction = new LinkedHashMap<>();
            actionIds.forEach(action -> byAction.put(action, emptyCounts()));
            Map<String, Integer> total = emptyCounts();
            for (Row row : all.getItem1()) {
                UUID action = row.getUUID("action_id");
                String status = row.getString("status");
                int n = row.getInteger("n");
                byAction.computeIfAbsent(action, a -> emptyCounts()).merge(status, n, Integer::sum);
                total.merge(status, n, Integer::sum);
            }
            CampaignStats.Latency overall = new CampaignStats.Latency(null, null, null);
            Map<UUID, CampaignStats.Latency> latencyByAction = new HashMap<>();
            for (Row row : all.getItem2()) {
                CampaignStats.Latency l = new CampaignStats.Latency(row.getDouble("p50"), row.getDouble("p95"),
                        row.getDouble("p99"));
                if (row.getInteger("overall") == 1) {
                    overall = l;
                } else {
                    latencyByAction.put(row.getUUID("action_id"), l);
                }
            }
            List<CampaignStats.ActionStats> actions = new ArrayList<>();
            byAction.forEach((action, c) -> actions.add(new CampaignStats.ActionStats(action, sum(c), c,
                    successRate(c), latencyByAction.getOrDefault(action, new CampaignStats.Latency(null, null, null)))));
            Map<Instant, Map<String, Integer>> buckets = new TreeMap<>();
            for (Row row : all.getItem3()) {
                buckets.computeIfAbsent(Sql.instant(row, "start"), b -> emptyCounts())
                        .put(row.getString("status"), row.getInteger("n"));
            }
            Map<Instant, CampaignStats.Latency> latencies = new HashMap<>();
            for (Row row : all.getItem4()) {
                latencies.put(Sql.instant(row, "start"), new CampaignStats.Latency(row.getDouble("p50"),
                        row.getDouble("p95"), row.getDouble("p99")));
            }
            List<CampaignStats.Bucket> points = new ArrayList<>();
            buckets.forEach((start, c) -> points.add(new CampaignStats.Bucket(start, c,
                    latencies.getOrDefault(start, new CampaignStats.Latency(null, null, null)))));
            return new CampaignStats(campaignId, since, until, bucket.toString(), sum(total), total,
                    successRate(total), overall, actions, points);
        });
    }

    private static Uni<List<Row>> rows(Uni<RowSet<Row>> query) {
        return query.map(rows -> {
            List<Row> out = new ArrayList<>(rows.size());
            rows.forEach(out::add);
            return out;
        });
    }

    private static Map<String, Integer> emptyCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (DeliveryStatus status : DeliveryStatus.values()) {
            counts.put(status.name(), 0);
        }
        return counts;
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Delivered among those that ended delivered or failed; null before any has. */
    private static Double successRate(Map<String, Integer> counts) {
        int delivered = counts.get(DeliveryStatus.DELIVERED.name());
        int ended = delivered + counts.get(DeliveryStatus.FAILED.name());
        return ended == 0 ? null : (double) delivered / ended;
    }

    private static Instant instant(String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeException e) {
            throw ProblemException.invalid(field, "must be an ISO-8601 instant such as 2026-12-01T09:00:00Z");
        }
    }
}
