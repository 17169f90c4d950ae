package dev.herald.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.audience.Criteria;
import dev.herald.campaign.Campaign;
import dev.herald.campaign.Limits;
import dev.herald.campaign.SendPlan;
import dev.herald.delivery.DeliveryStore;
import dev.herald.platform.Ids;
import dev.herald.platform.Json;
import dev.herald.platform.Page;
import dev.herald.platform.ProblemException;
import dev.herald.platform.Sql;
import dev.herald.platform.Wakeups;
import dev.herald.user.UserIds;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/** Starts runs: one pass over a campaign's audience, stored as entries and deliveries at once. */
@ApplicationScoped
public class RunService {

    static final int MAX_USER_IDS = 10_000;

    private final RunStore runs;
    private final DeliveryStore deliveries;
    private final Wakeups wakeups;
    private final RunMetrics metrics;
    private final Json json;
    private final Clock clock;
    /** Read once: the zones Postgres knows do not change while it runs. */
    private volatile String[] knownZones;

    public RunService(RunStore runs, DeliveryStore deliveries, Wakeups wakeups, RunMetrics metrics, Json json, Clock clock) {
        this.runs = runs;
        this.deliveries = deliveries;
        this.wakeups = wakeups;
        this.metrics = metrics;
        this.json = json;
        this.clock = clock;
    }

    /** A manual run ("send"): everything is committed before the answer, then the dispatcher wakes. */
    public Uni<SendResult> send(Campaign campaign, SendRequest request) {
        List<String> userIds = request == null ? null : request.userIds();
        if (userIds != null) {
            if (userIds.size() > MAX_USER_IDS) {
                throw ProblemException.invalid("userIds", "must list at most " + MAX_USER_IDS + " users");
            }
            for (int i = 0; i < userIds.size(); i++) {
                String problem = UserIds.problem(userIds.get(i));
                if (problem != null) {
                    throw ProblemException.invalid("userIds[" + i + "]", "must be a user id, which " + problem);
                }
            }
        }
        if (request != null && request.data() != null && !request.data().isNull() && !request.data().isObject()) {
            throw ProblemException.invalid("data", "must be an object; templates read it as {trigger.NAME}");
        }
        String data = request == null || request.data() == null || request.data().isNull() ? null
                : json.write(request.data());
        UUID runId = Ids.newId();
        Instant now = Sql.millis(clock.instant());
        String[] ids = userIds == null ? null : userIds.toArray(String[]::new);
        return runs.pool().withTransaction(conn -> runs.insert(conn, runId, campaign.id(), RunKind.MANUAL, null, data, now)
                .chain(() -> fanOut(conn, campaign, runId, ids, now))
                .call(() -> wakeups.onCommit(conn)))
                .invoke(size -> metrics.committed(1, 0, size))
                .map(size -> new SendResult(runId, size))
                .invoke(wakeups::wakeHere);
    }

    /** The entries and deliveries of a run, in the caller's transaction; returns the number of entries. */
    Uni<Integer> fanOut(SqlClient conn, Campaign campaign, UUID runId, String[] userIds, Instant now) {
        Instant firstDue = now.plus(campaign.actions().get(0).parsed().delay());
        Criteria audience = campaign.audience().criteria();
        Limits.PerUser cap = campaign.limits().perUser();
        return pacing(campaign).chain(pacing -> {
            long started = System.nanoTime();
            return deliveries.fanOut(conn, runId, campaign.entryPlan(),
                    new DeliveryStore.RunAudience(userIds, audience), cap == null ? null : cap.max(),
                    cap == null || cap.window() == null ? null : now.minus(cap.window()), firstDue, now, pacing)
                    .call(size -> runs.setAudienceSize(conn, runId, size))
                    .invoke(() -> metrics.fannedOut(Duration.ofNanos(System.nanoTime() - started)));
        });
    }

    /** Local times apply to a scheduled ONE_TIME run "at each user's local time" only, not to sends. */
    private Uni<DeliveryStore.Pacing> pacing(Campaign campaign) {
        Integer perMinute = campaign.limits().maxPerMinute();
        if (!(campaign.plan() instanceof SendPlan.OneTime once) || !once.atEachUsersLocalTime()) {
            return Uni.createFrom().item(new DeliveryStore.Pacing(null, null, null, perMinute));
        }
        Uni<String[]> zones = knownZones != null ? Uni.createFrom().item(knownZones)
                : runs.knownZones().invoke(found -> knownZones = found);
        return zones.map(found -> new DeliveryStore.Pacing(once.localTime(), once.defaultTimeZone().getId(), found,
                perMinute));
    }

    public Uni<Page<RunView>> list(UUID campaignId, String after, int size) {
        return runs.list(campaignId, Page.afterId(after), size + 1)
                .map(found -> Page.of(found, size, run -> run.id().toString()));
    }
}
