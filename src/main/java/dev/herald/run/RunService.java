package dev.herald.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.audience.Criteria;
import dev.herald.campaign.Campaign;
import dev.herald.campaign.CampaignRepository;
import dev.herald.campaign.CampaignStatus;
import dev.herald.campaign.Limits;
import dev.herald.campaign.SendPlan;
import dev.herald.delivery.DeliveryStore;
import dev.herald.delivery.RunCounts;
import dev.herald.platform.DatabaseOutage;
import dev.herald.platform.Ids;
import dev.herald.platform.Json;
import dev.herald.platform.Page;
import dev.herald.platform.ProblemException;
import dev.herald.platform.Sql;
import dev.herald.platform.Wakeups;
import dev.herald.user.UserIds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/** Starts runs: one pass over a campaign's audience, stored as entries and deliveries at once. */
@ApplicationScoped
public class RunService {

    private static final Logger LOG = Logger.getLogger(RunService.class);

    static final int MAX_USER_IDS = 10_000;

    private final RunRepository runs;
    private final DeliveryStore deliveries;
    private final RunCounts runCounts;
    private final CampaignRepository campaigns;
    private final ScheduleConfig config;
    /** Runs this instance is writing now. */
    private final Set<UUID> writingHere = ConcurrentHashMap.newKeySet();
    private final Wakeups wakeups;
    private final RunMetrics metrics;
    private final Json json;
    private final Clock clock;
    /** Read once: the zones Postgres knows do not change while it runs. */
    private volatile String[] knownZones;

    public RunService(RunRepository runs, DeliveryStore deliveries, RunCounts runCounts,
            CampaignRepository campaigns, Wakeups wakeups,
            RunMetrics metrics, ScheduleConfig config, Json json, Clock clock) {
        this.runs = runs;
        this.deliveries = deliveries;
        this.runCounts = runCounts;
        this.campaigns = campaigns;
        this.config = config;
        this.wakeups = wakeups;
        this.metrics = metrics;
        this.json = json;
        this.clock = clock;
    }

    /**
     * A manual run ("send"): the run, then its first chunk of users, are committed before the
     * answer, then the dispatcher wakes and the rest of the audience is written chunk by chunk.
     */
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
        RunEntity run = new RunEntity();
        run.id = Ids.newId();
        run.campaignId = campaign.id();
        run.kind = RunKind.MANUAL;
        run.status = RunStatus.STARTED;
        run.userIds = userIds == null ? null : userIds.toArray(String[]::new);
        run.data = data;
        run.writing = true;
        run.createdAt = Sql.millis(clock.instant());
        return Panache.withTransaction(() -> runs.create(run))
                .invoke(() -> metrics.committed(1, 0, 0))
                .chain(() -> firstChunk(run.id, campaign))
                .map(chunk -> new SendResult(run.id, chunk != null && chunk.done() ? chunk.entered() : null));
    }

    /**
     * The first chunk of a send, written before the answer. The run is stored already, so a
     * failure here does not fail the send: the scheduler's next pass writes the chunk (null then,
     * as when another instance took the run first).
     */
    private Uni<Written> firstChunk(UUID runId, Campaign campaign) {
        return nextChunk(runId, campaign)
                .invoke(chunk -> {
                    if (chunk != null && !chunk.done()) {
                        keepWriting(runId);
                    }
                })
                .onFailure().recoverWithItem(failure -> {
                    metrics.chunkFailed();
                    DatabaseOutage.warn(LOG, "writing the first chunk of run " + runId
                            + "; the scheduler's next pass takes it up", failure);
                    return null;
                });
    }

    /** A chunk written, whether it was the run's last, and the run's users written so far. */
    record Written(int entered, boolean done, long usersWritten) {
    }

    /**
     * Writes the next chunk of a run's audience and records it, in the caller's transaction: the
     * chunk and the run's cursor commit together, so a run cut off between chunks goes on from
     * its cursor, with no user missed and none written twice.
     */
    Uni<Written> writeChunk(SqlClient conn, Campaign campaign, RunRepository.Writing run, Instant now) {
        // Every chunk is due and capped as if the whole run had been written when it started.
        Instant firstDue = run.createdAt().plus(campaign.actions().get(0).parsed().delay());
        Criteria audience = campaign.audience().criteria();
        Limits.PerUser cap = campaign.limits().perUser();
        DeliveryStore.ChunkStart start = new DeliveryStore.ChunkStart(run.cursor(), run.usersWritten(),
                config.chunkSize());
        return pacing(campaign).chain(pacing -> {
            long started = System.nanoTime();
            return deliveries.fanOut(conn, run.id(), campaign.entryPlan(),
                    new DeliveryStore.RunAudience(run.userIds(), audience), cap == null ? null : cap.max(),
                    cap == null || cap.window() == null ? null : run.createdAt().minus(cap.window()), firstDue, now,
                    pacing, start)
                    .invoke(() -> metrics.fannedOut(Duration.ofNanos(System.nanoTime() - started)))
                    .chain(chunk -> runs.chunkWritten(conn, run.id(), chunk.users(), chunk.entered(), chunk.last(),
                            chunk.last(start)).replaceWith(new Written(chunk.entered(), chunk.last(start),
                            (long) run.usersWritten() + chunk.users())));
        });
    }

    /**
     * Writes the rest of a run, chunk after chunk, each in its own transaction, on this instance
     * (unless it is at it already). A failure stops it; the scheduler's pass takes the run up
     * again from its cursor, here or on another instance.
     */
    void keepWriting(UUID runId) {
        if (!writingHere.add(runId)) {
            return;
        }
        writeRest(runId)
                .eventually(() -> writingHere.remove(runId))
                .subscribe().with(ignored -> {
                }, failure -> {
                    metrics.chunkFailed();
                    DatabaseOutage.warn(LOG, "writing the audience of run " + runId, failure);
                });
    }

    private Uni<Void> writeRest(UUID runId) {
        return nextChunk(runId, null)
                .chain(chunk -> chunk == null || chunk.done() ? Uni.createFrom().voidItem() : writeRest(runId));
    }

    /**
     * Writes a run's next chunk in a transaction of its own; null when the run is done, or
     * another instance is writing a chunk of it right now (and will go on with it).
     * {@code campaign} is the run's campaign when the caller has it.
     */
    private Uni<Written> nextChunk(UUID runId, Campaign campaign) {
        Instant now = Sql.millis(clock.instant());
        return runs.pool().withTransaction(conn -> runs.lockWriting(conn, runId).chain(run -> {
            if (run == null) {
                return Uni.createFrom().<Written>nullItem();
            }
            Uni<Campaign> current = campaign != null ? Uni.createFrom().item(campaign)
                    : campaigns.findAll(List.of(run.campaignId())).map(found -> found.isEmpty() ? null : found.get(0));
            return current.chain(found -> {
                if (found == null || found.status() == CampaignStatus.FINISHED) {
                    return runs.stopWriting(conn, runId).replaceWith(new Written(0, true, 0));
                }
                return writeChunk(conn, found, run, now);
            });
        }))
                .invoke(chunk -> {
                    if (chunk != null && chunk.entered() > 0) {
                        metrics.committed(0, 0, chunk.entered());
                        wakeups.wakeAll();
                        // Beside the next chunk, not before it: claims do not wait for statistics
                        // (DeliveryStore.BY_INDEX), and an ANALYZE of a million deliveries takes
                        // a third of a second.
                        deliveries.analyzeIfOutgrown(chunk.usersWritten()).subscribe().with(ignored -> {
                        }, failure -> DatabaseOutage.warn(LOG, "analyzing deliveries after a chunk of run " + runId,
                                failure));
                    }
                });
    }

    /** Takes up the runs left half written (an instance stopped halfway, or a chunk failed). */
    Uni<Void> resumeWriting() {
        return runs.writingIds().invoke(ids -> ids.forEach(this::keepWriting)).replaceWithVoid();
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

    /** The newest run of each of these campaigns that has one, by campaign. */
    public Uni<Map<UUID, RunView>> newestOf(List<UUID> campaignIds) {
        if (campaignIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return runs.newestOf(campaignIds)
                .chain(found -> runCounts.byRun(found.stream().map(run -> run.id).toList())
                        .map(counts -> found.stream().collect(Collectors.toMap(run -> run.campaignId,
                                run -> RunView.of(run, counts.getOrDefault(run.id, Map.of()))))));
    }

    /** A campaign's runs, newest first, with their deliveries counted by status. */
    public Uni<Page<RunView>> list(UUID campaignId, String after, int size) {
        return runs.page(campaignId, Page.afterId(after), size + 1)
                .chain(found -> runCounts.byRun(found.stream().map(run -> run.id).toList())
                        .map(counts -> found.stream()
                                .map(run -> RunView.of(run, counts.getOrDefault(run.id, Map.of()))).toList()))
                .map(found -> Page.of(found, size, run -> run.id().toString()));
    }
}
