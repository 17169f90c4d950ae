package dev.herald.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.campaign.Campaign;
import dev.herald.campaign.CampaignRepository;
import dev.herald.campaign.FireTimes;
import dev.herald.platform.DatabaseOutage;
import dev.herald.platform.Ids;
import dev.herald.platform.Sql;
import dev.herald.platform.Wakeups;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Runs ONE_TIME and RECURRING campaigns when they are due. The database decides what is due and
 * makes each fire time run at most once, whatever the number of instances: a campaign is claimed
 * with {@code FOR UPDATE SKIP LOCKED}, and a run is unique per (campaign, fire time).
 */
@ApplicationScoped
public class ScheduleService {

    private static final Logger LOG = Logger.getLogger(ScheduleService.class);
    /** Fire times handled for one campaign in one pass (a long outage of a frequent schedule). */
    static final int MAX_FIRES_PER_PASS = 1000;

    private final CampaignRepository campaigns;
    private final RunRepository runs;
    private final RunService runService;
    private final Wakeups wakeups;
    private final RunMetrics metrics;
    private final ScheduleConfig config;
    private final Pool pool;
    private final Clock clock;

    public ScheduleService(CampaignRepository campaigns, RunRepository runs, RunService runService, Wakeups wakeups,
            RunMetrics metrics, ScheduleConfig config, Pool pool, Clock clock) {
        this.metrics = metrics;
        this.campaigns = campaigns;
        this.runs = runs;
        this.runService = runService;
        this.wakeups = wakeups;
        this.config = config;
        this.pool = pool;
        this.clock = clock;
    }

    @Scheduled(every = "${herald.schedule.poll-interval:5s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        return tick().onFailure().invoke(e -> DatabaseOutage.warn(LOG, "looking for due fire times", e))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * Runs every due fire time, takes up runs still writing their audience, then finishes
     * campaigns that are done. Returns the runs started.
     */
    public Uni<Integer> tick() {
        Instant now = Sql.millis(clock.instant());
        return campaigns.dueIds(now, 100)
                .chain(ids -> Multi.createFrom().iterable(ids)
                        .onItem().transformToUniAndConcatenate(id -> pool.withTransaction(conn -> fire(conn, id, now))
                                .invoke(tally -> metrics.committed(tally.fired(), tally.skipped(), tally.entries())))
                        .collect().asList())
                .map(tallies -> tallies.stream().mapToInt(Tally::fired).sum())
                .invoke(started -> {
                    if (started > 0) {
                        wakeups.wakeAll();
                    }
                })
                .call(runService::resumeWriting)
                .call(() -> campaigns.finishCompleted(now))
                .call(() -> campaigns.forgetMinutesBefore(now.minus(Duration.ofHours(1))));
    }

    /** What one campaign's pass came to: runs fired and skipped, and the entries the fired ones made. */
    record Tally(int fired, int skipped, long entries) {
        static final Tally NONE = new Tally(0, 0, 0);

        Tally plus(Tally other) {
            return new Tally(fired + other.fired, skipped + other.skipped, entries + other.entries);
        }
    }

    /** Handles a campaign's due fire times in order. */
    private Uni<Tally> fire(SqlClient conn, UUID id, Instant now) {
        return campaigns.lockDue(conn, id, now).chain(campaign -> {
            if (campaign == null) {
                return Uni.createFrom().item(Tally.NONE);
            }
            return fireFrom(conn, campaign, campaign.nextRunAt(), now, 0, Tally.NONE);
        });
    }

    private Uni<Tally> fireFrom(SqlClient conn, Campaign campaign, Instant fireTime, Instant now, int handled,
            Tally sofar) {
        if (fireTime == null || fireTime.isAfter(now) || handled >= MAX_FIRES_PER_PASS) {
            return campaigns.setNextRun(conn, campaign.id(), fireTime).replaceWith(sofar);
        }
        boolean late = now.isAfter(fireTime.plus(config.misfireGrace()));
        UUID runId = Ids.newId();
        Uni<Tally> run = runs.insertScheduled(conn, runId, campaign.id(), fireTime, late ? RunStatus.SKIPPED : RunStatus.STARTED,
                now)
                .chain(inserted -> {
                    if (!inserted) {
                        return Uni.createFrom().item(Tally.NONE);
                    }
                    if (late) {
                        return Uni.createFrom().item(new Tally(0, 1, 0));
                    }
                    // The first chunk commits with the fire time; the rest follows (resumeWriting).
                    return runService.writeChunk(conn, campaign,
                            new RunRepository.Writing(runId, campaign.id(), null, null, 0, now), now)
                            .map(written -> new Tally(1, 0, written.entered()));
                });
        return run.chain(tally -> fireFrom(conn, campaign, FireTimes.next(campaign.plan(), fireTime), now, handled + 1,
                sofar.plus(tally)));
    }
}
