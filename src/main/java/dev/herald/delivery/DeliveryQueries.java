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
import io.vertx.mutiny.sqlclient.Tuple;

/** The read model of {@code GET /deliveries} and {@code GET /deliveries/{id}}: deliveries with their attempts. */
@ApplicationScoped
public class DeliveryQueries {

    private static final String VIEW_COLUMNS = "id, campaign_id, action_id, user_id, run_id, entry_id, status, "
            + "reason, test, attempt_count, last_status_code, last_error, due_at, created_at, updated_at, finished_at";

    private final Pool pool;
    private final Json json;

    public DeliveryQueries(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
    }

    /** Filters of {@code GET /deliveries}; null fields do not filter. */
    public record Filter(UUID campaignId, String userId, String status, String reason, Instant since, Instant until,
            UUID after, int limit) {
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
        if (f.reason() != null) {
            values.add(f.reason());
            where.add("reason = $" + values.size());
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
                DeliveryStatus.valueOf(row.getString("status")),
                row.getString("reason") == null ? null : DeliveryReason.valueOf(row.getString("reason")),
                row.getBoolean("test"),
                row.getInteger("attempt_count"), row.getInteger("last_status_code"), row.getString("last_error"),
                Sql.instant(row, "due_at"), Sql.instant(row, "created_at"), Sql.instant(row, "updated_at"),
                Sql.instant(row, "finished_at"), request, attempts);
    }
}
