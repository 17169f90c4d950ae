package dev.herald.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

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
    public record Filter(UUID campaignId, String userId, DeliveryStatus status, DeliveryReason reason, Instant since,
            Instant until, UUID after, int limit) {
    }

    /**
     * Deliveries newest first. Only the filters given are written into the statement, so that
     * Postgres plans each combination with the index it needs rather than one plan for all. A
     * user's deliveries are found campaign by campaign through the index that keeps entries
     * unique; deliveries have no index of their own by user (one index fewer per row of a run).
     */
    public Uni<List<DeliveryView>> list(Filter f) {
        if (f.status() != null && f.reason() != null && f.reason().status() != f.status()) {
            return Uni.createFrom().item(List.of());
        }
        List<Object> values = new ArrayList<>();
        return pool.preparedQuery(listing(f, values)).execute(Tuple.from(values)).map(rows -> {
            List<DeliveryView> out = new ArrayList<>(rows.size());
            rows.forEach(row -> out.add(view(row, null, null)));
            return out;
        });
    }

    /**
     * The statement of {@link #list}, its parameters added to {@code values} (package-private
     * for its plans' test). Deliveries that ended undelivered are read through the index of
     * reasons (V14): by their reason, or for a status as the union of its reasons' newest, each
     * read in id order from that index. Walking the primary key from the newest delivery instead
     * reads every row newer than the page's last, which in a history of delivered webhooks with
     * few failures is most of the table. Unfinished ones are said to be unfinished, which the
     * index of due deliveries can serve when they are few.
     */
    static String listing(Filter f, List<Object> values) {
        List<String> where = new ArrayList<>();
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
        String limit = " ORDER BY id DESC LIMIT $" + values.size();
        List<DeliveryReason> reasons = f.reason() != null ? List.of(f.reason())
                : f.status() != null ? DeliveryReason.of(f.status()) : List.of();
        if (reasons.isEmpty()) {
            if (f.status() != null) {
                where.add("status = " + f.status().sql());
                if (!f.status().isFinal()) {
                    where.add("finished_at IS NULL");
                }
            }
            return "SELECT " + VIEW_COLUMNS + " FROM deliveries"
                    + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + limit;
        }
        String rest = where.stream().map(w -> " AND " + w).collect(Collectors.joining());
        String branches = reasons.stream()
                .map(r -> "(SELECT " + VIEW_COLUMNS + " FROM deliveries WHERE reason = " + r.sql() + rest + limit + ")")
                .collect(Collectors.joining(" UNION ALL "));
        return reasons.size() == 1 ? branches.substring(1, branches.length() - 1)
                : "SELECT * FROM (" + branches + ") undelivered" + limit;
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
