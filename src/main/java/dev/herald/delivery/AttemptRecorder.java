package dev.herald.delivery;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Singleton;

import dev.herald.platform.Json;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Records outcomes of attempts in batches: the results that arrive within a couple of
 * milliseconds are written with one statement, instead of one round trip each. Each delivery is
 * still updated atomically (its attempt, its new state and its next action together), and only
 * while its claim holds.
 */
@Singleton
public class AttemptRecorder {

    static final int MAX_BATCH = 500;
    private static final long FLUSH_DELAY_MS = 2;

    /** One outcome to record; {@code result} is null when the delivery ended without an attempt. */
    record Outcome(Claimed claim, AttemptResult result, RetryPolicy.Decision decision, Instant now,
            Instant nextActionDue, UniEmitter<? super Void> done) {
    }

    private final Pool pool;
    private final Vertx vertx;
    private final Json json;
    private final ConcurrentLinkedQueue<Outcome> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    public AttemptRecorder(Pool pool, Vertx vertx, Json json) {
        this.pool = pool;
        this.vertx = vertx;
        this.json = json;
    }

    /** Completes once the outcome is committed (or the claim was found to be gone). */
    public Uni<Void> record(Claimed claim, AttemptResult result, RetryPolicy.Decision decision, Instant now,
            Instant nextActionDue) {
        return Uni.createFrom().emitter(done -> {
            queue.add(new Outcome(claim, result, decision, now, nextActionDue, done));
            if (flushScheduled.compareAndSet(false, true)) {
                vertx.setTimer(FLUSH_DELAY_MS, id -> flush());
            }
        });
    }

    private void flush() {
        flushScheduled.set(false);
        List<Outcome> batch = new ArrayList<>();
        Outcome next;
        while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
            batch.add(next);
        }
        if (!queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
            vertx.setTimer(FLUSH_DELAY_MS, id -> flush());
        }
        if (batch.isEmpty()) {
            return;
        }
        write(batch).subscribe().with(
                ignored -> batch.forEach(o -> o.done().complete(null)),
                failure -> batch.forEach(o -> o.done().fail(failure)));
    }

    private Uni<Void> write(List<Outcome> batch) {
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
        for (int i = 0; i < n; i++) {
            Outcome o = batch.get(i);
            AttemptResult r = o.result();
            ids[i] = o.claim().id();
            statuses[i] = o.decision().status().name();
            reasons[i] = o.decision().reason();
            nextAttempts[i] = Sql.ts(o.decision().nextAttemptAt());
            codes[i] = r == null ? null : r.statusCode();
            errors[i] = r == null ? null : r.error();
            finished[i] = o.decision().status().isFinal() ? Sql.ts(o.now()) : null;
            leases[i] = Sql.ts(o.claim().lockedUntil());
            started[i] = r == null ? null : Sql.ts(r.startedAt());
            latencies[i] = r == null ? null : r.latencyMs();
            headers[i] = r == null ? null : json.write(r.responseHeaders());
            bodies[i] = r == null ? null : r.responseBody();
            nextActions[i] = Sql.ts(o.nextActionDue());
            updated[i] = Sql.ts(o.now());
        }
        return pool.preparedQuery("WITH v AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[],"
                + "   $4::timestamptz[], $5::int[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[],"
                + "   $10::int[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[])"
                + "   AS v(id, status, reason, next_attempt, status_code, error, finished_at, locked_until, started_at,"
                + "   latency_ms, response_headers, response_body, next_action_due, updated_at)),"
                + " d AS (UPDATE deliveries x SET status = v.status, reason = v.reason,"
                + "   due_at = coalesce(v.next_attempt, x.due_at), locked_until = NULL,"
                // The claim counted an attempt; an end without one (a skip) takes it back.
                + "   attempt_count = CASE WHEN v.started_at IS NULL THEN x.attempt_count - 1 ELSE x.attempt_count END,"
                + "   last_status_code = CASE WHEN v.started_at IS NULL THEN x.last_status_code ELSE v.status_code END,"
                + "   last_error = CASE WHEN v.started_at IS NULL THEN x.last_error ELSE v.error END,"
                + "   updated_at = v.updated_at, finished_at = v.finished_at"
                + "   FROM v WHERE x.id = v.id AND x.status = 'SENDING' AND x.locked_until = v.locked_until"
                + "   RETURNING x.id, x.attempt_count, x.campaign_id, x.user_id, coalesce(x.run_id, x.event_id) AS source,"
                + "   x.action_index),"
                + " a AS (INSERT INTO attempts (delivery_id, number, started_at, latency_ms, status_code, error,"
                + "   response_headers, response_body)"
                + "   SELECT d.id, d.attempt_count, v.started_at, v.latency_ms, v.status_code, v.error,"
                + "   v.response_headers::jsonb, v.response_body FROM d JOIN v ON v.id = d.id"
                + "   WHERE v.started_at IS NOT NULL)"
                + " UPDATE deliveries n SET due_at = v.next_action_due FROM d JOIN v ON v.id = d.id"
                // The entry's next action, found through the index that keeps entries unique.
                + " WHERE v.next_action_due IS NOT NULL AND n.campaign_id = d.campaign_id AND n.user_id = d.user_id"
                + " AND coalesce(n.run_id, n.event_id) = d.source AND n.action_index = d.action_index + 1"
                + " AND n.status = 'PENDING'")
                .execute(Tuple.from(new Object[] { ids, statuses, reasons, nextAttempts, codes, errors, finished, leases,
                        started, latencies, headers, bodies, nextActions, updated }))
                .replaceWithVoid();
    }
}
