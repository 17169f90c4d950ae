package dev.herald.run;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.newUsers;
import static dev.herald.support.Http.send;
import static dev.herald.support.Http.userId;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.campaign.CampaignRepository;
import dev.herald.platform.Sql;
import dev.herald.platform.Wakeups;
import dev.herald.support.Campaigns.Limits;
import dev.herald.support.Campaigns.Plan;
import dev.herald.support.Held;
import dev.herald.support.MovableClock;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** ONE_TIME and RECURRING campaigns, with time moved by the clock (contract section 2.1). */
@QuarkusTest
class ScheduledCampaignTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    RunMetrics runMetrics;
    @Inject
    MovableClock clock;
    @Inject
    ScheduleService scheduler;
    @Inject
    CampaignRepository campaigns;
    @Inject
    RunRepository runs;
    @Inject
    RunService runService;
    @Inject
    Wakeups wakeups;
    @Inject
    ScheduleConfig config;
    @Inject
    Pool pool;
    @Inject
    dev.herald.dispatch.Dispatcher dispatcher;

    /** A scheduled campaign for one user (its audience is that user's tag), started. */
    private String scheduled(Receiver receiver, String path, Plan plan, String tag) {
        return campaign("scheduled " + path, webhook(receiver.url(path))).withPlan(plan)
                .withAudience(Map.of("attribute", "tag", "op", "eq", "value", tag)).start();
    }

    private static String tagged(String tag) {
        return user("sched").with("tag", tag).put();
    }

    private static JsonPath read(String id) {
        return admin().get("/api/v1/campaigns/{id}", id).then().statusCode(200).extract().jsonPath();
    }

    private static List<String> runStatuses(String id) {
        return admin().get("/api/v1/campaigns/{id}/runs", id).then().extract().path("items.status");
    }

    @Test
    void oneTimeSendsAtItsTimeThenFinishes() {
        Receiver receiver = receivers.fresh();
        String tag = "once-" + System.nanoTime();
        tagged(tag);
        Instant sendAt = clock.instant().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
        String id = scheduled(receiver, "/once", Plan.sendAt(sendAt), tag);
        assertThat(Instant.parse(read(id).getString("nextRunAt"))).isEqualTo(sendAt);

        scheduler.tick().await().indefinitely();
        assertThat(runStatuses(id)).isEmpty();
        clock.advance(Duration.ofMinutes(11));
        assertThat(scheduler.tick().await().indefinitely()).isGreaterThanOrEqualTo(1);
        receiver.await("/once", 1);
        assertThat(read(id).getString("nextRunAt")).isNull();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            scheduler.tick().await().indefinitely();
            return "FINISHED".equals(read(id).getString("status"));
        });
        assertThat(receiver.at("/once")).hasSize(1);
    }

    @Test
    void aDueCampaignFiresWhileAnotherTransactionHoldsAKeyShareOnIt() {
        Receiver receiver = receivers.fresh();
        String tag = "shared-" + System.nanoTime();
        tagged(tag);
        Instant sendAt = clock.instant().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
        String id = scheduled(receiver, "/shared", Plan.sendAt(sendAt), tag);
        clock.advance(Duration.ofMinutes(11));
        // What a run being written or a claim counting its minute holds through their foreign
        // keys: the scheduler must not take it for another scheduler at the campaign.
        Held.whileHolding(pool,
                conn -> conn.preparedQuery("SELECT 1 FROM campaigns WHERE id = $1 FOR KEY SHARE")
                        .execute(Tuple.of(UUID.fromString(id))),
                () -> {
                    scheduler.tick().await().indefinitely();
                    assertThat(runStatuses(id)).hasSize(1);
                });
        receiver.await("/shared", 1);
    }

    @Test
    void oneTimeWithoutSendAtGoesAtStart() {
        Receiver receiver = receivers.fresh();
        String tag = "now-" + System.nanoTime();
        tagged(tag);
        String id = scheduled(receiver, "/now", Plan.once(), tag);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
            scheduler.tick().await().indefinitely();
            return receiver.at("/now").size() == 1;
        });
        assertThat(runStatuses(id)).hasSize(1);
    }

    @Test
    void oneTimeAtALocalTimeInAZone() {
        Receiver receiver = receivers.fresh();
        String tag = "local-" + System.nanoTime();
        tagged(tag);
        // 09:00 in Tokyo (UTC+9) three days from now.
        java.time.LocalDate day = clock.instant().atZone(ZoneOffset.UTC).toLocalDate().plusDays(3);
        String id = scheduled(receiver, "/tokyo", Plan.localTime(day + "T09:00", "Asia/Tokyo"), tag);
        assertThat(Instant.parse(read(id).getString("nextRunAt")))
                .isEqualTo(day.atTime(9, 0).atZone(java.time.ZoneId.of("Asia/Tokyo")).toInstant());
    }

    @Test
    void oneTimeAtEachUsersLocalTime() {
        Receiver receiver = receivers.fresh();
        String tag = "users-local-" + System.nanoTime();
        String tokyo = user("tokyo").with("tag", tag).timeZone("Asia/Tokyo").put();
        String newYork = user("ny").with("tag", tag).timeZone("America/New_York").put();
        String unknown = user("mars").with("tag", tag).timeZone("Mars/Base").put();
        String none = user("none").with("tag", tag).put();
        java.time.LocalDate day = clock.instant().atZone(ZoneOffset.UTC).toLocalDate().plusDays(3);
        java.time.LocalDateTime nine = day.atTime(9, 0);
        String id = scheduled(receiver, "/local",
                Plan.localTime(nine.toString(), "user").withDefaultTimeZone("Europe/Berlin"), tag);
        // The run starts when the first time zone (UTC+14) reaches 09:00.
        Instant runAt = nine.atOffset(ZoneOffset.ofHours(14)).toInstant();
        assertThat(Instant.parse(read(id).getString("nextRunAt"))).isEqualTo(runAt);

        clock.advance(Duration.between(clock.instant(), runAt).plusMinutes(1));
        scheduler.tick().await().indefinitely();
        assertThat(dueAt(tokyo)).isEqualTo(nine.atZone(java.time.ZoneId.of("Asia/Tokyo")).toInstant());
        assertThat(dueAt(newYork)).isEqualTo(nine.atZone(java.time.ZoneId.of("America/New_York")).toInstant());
        Instant berlin = nine.atZone(java.time.ZoneId.of("Europe/Berlin")).toInstant();
        assertThat(dueAt(unknown)).isEqualTo(berlin);
        assertThat(dueAt(none)).isEqualTo(berlin);
        admin().post("/api/v1/campaigns/{id}/finish", id).then().statusCode(200);
    }

    @Test
    void maxPerMinuteSpreadsARun() {
        Receiver receiver = receivers.fresh();
        List<String> users = newUsers("paced", 5);
        String id = campaign("paced", webhook(receiver.url("/paced")).withDelay("PT1H")).withLimits(Limits.maxPerMinute(2)).start();
        admin().body(Map.of("userIds", users)).post("/api/v1/campaigns/{id}/send", id).then().statusCode(202);
        List<String> due = admin().get("/api/v1/deliveries?campaignId=" + id).then().extract().path("items.dueAt");
        Map<Instant, Long> perMinute = due.stream().map(Instant::parse)
                .collect(java.util.stream.Collectors.groupingBy(t -> t, java.util.TreeMap::new,
                        java.util.stream.Collectors.counting()));
        assertThat(perMinute.values()).containsExactly(2L, 2L, 1L);
        List<Instant> minutes = List.copyOf(perMinute.keySet());
        assertThat(Duration.between(minutes.get(0), minutes.get(2))).isEqualTo(Duration.ofMinutes(2));
        admin().post("/api/v1/campaigns/{id}/finish", id).then().statusCode(200);
    }

    @Test
    void maxPerMinuteHoldsWhenRunsOverlap() {
        Receiver receiver = receivers.fresh();
        List<String> users = newUsers("rate", 3);
        String id = campaign("rate", webhook(receiver.url("/rate"))).withLimits(Limits.maxPerMinute(2)).start();
        Instant minute = clock.advanceToNextMinute();

        // Each run spreads itself (two now, one a minute later); together they have four due now.
        for (int run = 0; run < 2; run++) {
            admin().body(Map.of("userIds", users)).post("/api/v1/campaigns/{id}/send", id).then().statusCode(202);
        }
        for (int sent = 2; sent <= 6; sent += 2) {
            dispatcher.wakeUp();
            receiver.await("/rate", sent);
            Instant next = minute.plus(Duration.ofMinutes(sent / 2));
            Awaitility.await().until(() -> pendingDueBefore(id, next) == 0);
            assertThat(receiver.at("/rate")).hasSize(sent);
            clock.advance(Duration.ofMinutes(1));
        }
        // The minute counters outlive their minute by an hour, then the scheduler's tick drops them.
        assertThat(minuteCounters(id)).isEqualTo(3);
        clock.advance(Duration.ofHours(1));
        scheduler.tick().await().indefinitely();
        assertThat(minuteCounters(id)).isZero();
    }

    private long minuteCounters(String campaignId) {
        return Rows.count(pool, "campaign_minutes", "campaign_id = $1", UUID.fromString(campaignId));
    }

    @Test
    void aRateLimitedBacklogDoesNotHoldBackOtherCampaigns() {
        Receiver receiver = receivers.fresh();
        String user = user("backlog").put();
        String limited = campaign("backlog", webhook(receiver.url("/backlog"))).withLimits(Limits.maxPerMinute(1)).start();
        String actionId = admin().get("/api/v1/campaigns/{id}", limited).then().extract().path("actions[0].id");
        Instant minute = clock.advanceToNextMinute();
        // 1,000 webhooks of the limited campaign already due (a burst of triggers): five claims of them.
        Instant due = minute.plusSeconds(1).minus(Duration.ofMinutes(1));
        pool.preparedQuery("INSERT INTO deliveries (campaign_id, entry_id, user_id, event_id, host, action_id,"
                + " action_index, status, due_at, created_at, updated_at)"
                + " SELECT $1, gen_random_uuid(), $2, gen_random_uuid(), $3, $4, 0, 'PENDING', $5, $5, $5"
                + " FROM generate_series(1, 1000)")
                .execute(Tuple.of(UUID.fromString(limited), user, receiver.hostAndPort(), UUID.fromString(actionId),
                        Sql.ts(due)))
                .await().indefinitely();

        String other = campaign("behind the backlog", webhook(receiver.url("/behind"))).start();
        send(other, List.of(user));
        dispatcher.wakeUp();
        receiver.await("/behind", 1);
        // All 999 left are put off to later minutes, one a minute, and no more was sent.
        UUID id = UUID.fromString(limited);
        Awaitility.await().until(() -> Rows.deliveries(pool, "campaign_id = $1 AND status = 'PENDING' AND due_at < $2",
                id, Sql.ts(minute.plus(Duration.ofMinutes(1)))) == 0);
        assertThat(receiver.at("/backlog")).hasSize(1);
        assertThat(Rows.deliveries(pool, "campaign_id = $1 AND due_at = $2", id,
                Sql.ts(minute.plus(Duration.ofMinutes(999))))).isEqualTo(1);
        admin().post("/api/v1/campaigns/{id}/finish", limited).then().statusCode(200);
    }

    /** How many of the campaign's deliveries wait with a due time before {@code time}. */
    private long pendingDueBefore(String campaignId, Instant time) {
        List<String> due = admin().get("/api/v1/deliveries?status=PENDING&campaignId=" + campaignId).then()
                .extract().path("items.dueAt");
        return due.stream().map(Instant::parse).filter(t -> t.isBefore(time)).count();
    }

    @Test
    void quietHoursHoldWebhooksUntilTheyEndInTheUsersZone() {
        Receiver receiver = receivers.fresh();
        String user = user("quiet").timeZone("Asia/Tokyo").put();
        java.time.ZoneId tokyo = java.time.ZoneId.of("Asia/Tokyo");
        java.time.LocalTime local = clock.instant().atZone(tokyo).toLocalTime().truncatedTo(ChronoUnit.MINUTES);
        java.time.LocalTime start = local.minusHours(1);
        java.time.LocalTime end = local.plusHours(1);
        Map<String, Object> campaign = new HashMap<>();
        campaign.put("name", "quiet");
        campaign.put("limits", Map.of("quietHours", Map.of("start", start.toString(), "end", end.toString(),
                "timeZone", "user")));
        campaign.put("actions", List.of(Map.of("url", receiver.url("/quiet"))));
        String id = admin().body(campaign).post("/api/v1/campaigns").then().statusCode(201).extract().path("id");
        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200);
        admin().body(Map.of("userIds", List.of(user))).post("/api/v1/campaigns/{id}/send", id).then().statusCode(202);

        Instant quietEnds = clock.instant().atZone(tokyo).toLocalDate().atTime(end).atZone(tokyo).toInstant();
        if (!quietEnds.isAfter(clock.instant())) {
            quietEnds = quietEnds.plus(Duration.ofDays(1));
        }
        Instant expected = quietEnds;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> expected.equals(dueAt(user)));
        JsonPath held = admin().get("/api/v1/deliveries?userId=" + user).then().extract().jsonPath();
        assertThat(held.getString("items[0].status")).isEqualTo("PENDING");
        assertThat(held.getInt("items[0].attemptCount")).isZero();
        assertThat(receiver.at("/quiet")).isEmpty();

        clock.advance(Duration.between(clock.instant(), quietEnds).plusSeconds(1));
        dispatcher.wakeUp();
        receiver.await("/quiet", 1);
    }

    private static Instant dueAt(String user) {
        return Instant.parse(admin().get("/api/v1/deliveries?userId=" + user).then().extract().path("items[0].dueAt"));
    }

    @Test
    void recurringRunsEachFireTimeOnceAndSkipsThoseMissedBeyondTheGrace() {
        Receiver receiver = receivers.fresh();
        String tag = "hourly-" + System.nanoTime();
        tagged(tag);
        String id = scheduled(receiver, "/hourly", Plan.recurring("0 * * * *"), tag);
        Instant first = Instant.parse(read(id).getString("nextRunAt"));
        assertThat(first).isAfter(clock.instant()).isEqualTo(clock.instant().truncatedTo(ChronoUnit.HOURS)
                .plus(Duration.ofHours(1)));

        clock.advance(Duration.between(clock.instant(), first).plusSeconds(5));
        scheduler.tick().await().indefinitely();
        scheduler.tick().await().indefinitely();
        receiver.await("/hourly", 1);
        assertThat(Instant.parse(read(id).getString("nextRunAt"))).isEqualTo(first.plus(Duration.ofHours(1)));

        // Herald "down" for three hours: two fire times are over an hour late, one is not.
        clock.advance(Duration.ofHours(3));
        scheduler.tick().await().indefinitely();
        List<String> statuses = runStatuses(id);
        assertThat(statuses).as("newest first").hasSize(4);
        assertThat(statuses.get(0)).isIn("IN_PROGRESS", "COMPLETED");
        assertThat(statuses.subList(1, 4)).containsExactly("SKIPPED", "SKIPPED", "COMPLETED");
        receiver.await("/hourly", 2);
        assertThat(Instant.parse(read(id).getString("nextRunAt"))).isEqualTo(first.plus(Duration.ofHours(4)));
    }

    @Test
    void twoSchedulersRunEachFireTimeOnce() throws Exception {
        Receiver receiver = receivers.fresh();
        String tag = "pair-" + System.nanoTime();
        tagged(tag);
        String id = scheduled(receiver, "/pair", Plan.recurring("*/5 * * * *"), tag);
        ScheduleService other = new ScheduleService(campaigns, runs, runService, wakeups, runMetrics, config, pool, clock);
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofMinutes(5));
            CompletableFuture<Integer> a = scheduler.tick().subscribeAsCompletionStage();
            CompletableFuture<Integer> b = other.tick().subscribeAsCompletionStage();
            CompletableFuture.allOf(a, b).get();
            // Let the run's webhook finish before time moves on: a lease that the clock jumps
            // past is taken over, as it would be after a crash.
            int runsSoFar = i + 1;
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> admin()
                    .get("/api/v1/campaigns/{id}/stats", id).then().extract()
                    .<Integer> path("counts.DELIVERED") == runsSoFar);
        }
        assertThat(runStatuses(id)).hasSize(4);
        assertThat(receiver.at("/pair")).hasSize(4);
        admin().post("/api/v1/campaigns/{id}/finish", id).then().statusCode(200);
    }

    @Test
    void endAtStopsTheScheduleAndAPausedCampaignCatchesUpWithinTheGrace() {
        Receiver receiver = receivers.fresh();
        String tag = "paused-" + System.nanoTime();
        tagged(tag);
        Instant start = clock.instant();
        Instant endAt = start.plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.HOURS);
        String id = scheduled(receiver, "/paused", Plan.recurring("0 * * * *").between(null, endAt), tag);
        Instant first = Instant.parse(read(id).getString("nextRunAt"));
        admin().post("/api/v1/campaigns/{id}/pause", id).then().statusCode(200);
        clock.advance(Duration.between(clock.instant(), first).plusMinutes(10));
        scheduler.tick().await().indefinitely();
        assertThat(runStatuses(id)).isEmpty();

        admin().post("/api/v1/campaigns/{id}/start", id).then().statusCode(200)
                .body("nextRunAt", equalTo(first.toString()));
        scheduler.tick().await().indefinitely();
        receiver.await("/paused", 1);

        clock.advance(Duration.ofHours(2));
        scheduler.tick().await().indefinitely();
        assertThat(read(id).getString("nextRunAt")).isNull();
        assertThat(runStatuses(id)).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void anEditThatEndsTheScheduleClearsTheNextFireTime() {
        Receiver receiver = receivers.fresh();
        String tag = "unscheduled-" + System.nanoTime();
        String id = scheduled(receiver, "/unscheduled", Plan.recurring("0 * * * *"), tag);
        assertThat(read(id).getString("nextRunAt")).isNotNull();

        admin().body(campaign("now manual", webhook(receiver.url("/unscheduled")))).put("/api/v1/campaigns/{id}", id)
                .then().statusCode(200).body("delivery.type", equalTo("MANUAL"));
        assertThat(read(id).getString("nextRunAt")).isNull();
        tagged(tag);
        clock.advance(Duration.ofHours(2));
        scheduler.tick().await().indefinitely();
        assertThat(receiver.at("/unscheduled")).isEmpty();
    }

}
