package dev.herald.trigger;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.ingest;
import static dev.herald.support.Http.userId;
import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.dispatch.Dispatcher;
import dev.herald.event.EventService;
import dev.herald.support.Campaigns.Limits;
import dev.herald.support.Campaigns.Plan;
import dev.herald.support.MovableClock;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/** Events in, the right users' webhooks out (contract sections 2.2 and 3). */
@QuarkusTest
class TriggeredCampaignTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @Inject
    MovableClock clock;

    @Inject
    Dispatcher dispatcher;

    @Inject
    TriggerIndex triggerIndex;

    @Inject
    Pool pool;

    @Inject
    EventService events;

    /** An ACTIVE triggered campaign with one action to {@code path}. */
    private static String triggered(Receiver receiver, String path, Plan plan, Object audience, Object data) {
        return campaign("triggered " + path, webhook(receiver.url(path)).withData(data)).withPlan(plan)
                .withAudience(audience).start();
    }

    private static Map<String, Object> ordered(String... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static Map<String, Object> event(String user, String name, Map<String, Object> params) {
        Map<String, Object> event = new HashMap<>();
        event.put("userId", user);
        event.put("event", name);
        event.put("params", params);
        return event;
    }

    @Test
    void anEventSendsItsWebhookAtOnceWithTheEventInTemplates() {
        Receiver receiver = receivers.fresh();
        String name = "order_shipped_" + System.nanoTime();
        triggered(receiver, "/shipped",
                Plan.onEvent(name).where(Map.of("param", "carrier", "op", "in", "value", List.of("ups", "dhl"))),
                null, ordered("order", "{event.params.order_id}", "event", "{event.name}", "who", "{user.first_name}"));
        String user = user("shipper").with("first_name", "Ann").put();

        long start = System.nanoTime();
        ingest().body(event(user, name, Map.of("order_id", 42, "carrier", "ups"))).post("/api/v1/events").then()
                .statusCode(202).body("duplicate", equalTo(false)).body("entries", equalTo(1));
        Receiver.Received got = receiver.await("/shipped", 1).get(0);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        assertThat(got.body()).isEqualTo("{\"order\":42,\"event\":\"" + name + "\",\"who\":\"Ann\"}");

        admin().body(event(user, name, Map.of("order_id", 43, "carrier", "fedex"))).post("/api/v1/events").then()
                .statusCode(202).body("entries", equalTo(0));
    }

    @Test
    void aRehearsedEventLeavesNothingAndSendsNothing() {
        Receiver receiver = receivers.fresh();
        String name = "rehearsed_" + System.nanoTime();
        UUID campaign = UUID.fromString(triggered(receiver, "/rehearsed", Plan.onEvent(name), null,
                Map.of("user", "{user.id}")));

        events.rehearse(name).await().indefinitely();

        assertThat(Rows.count(pool, "users", "id LIKE 'herald-warm-up-%'")).isZero();
        assertThat(Rows.count(pool, "events", "name = $1", name)).isZero();
        assertThat(Rows.deliveries(pool, "campaign_id = $1", campaign)).isZero();
        String user = user("after-rehearsal").put();
        admin().body(event(user, name, Map.of())).post("/api/v1/events").then().statusCode(202)
                .body("entries", equalTo(1));
        assertThat(receiver.await("/rehearsed", 1)).singleElement()
                .satisfies(got -> assertThat(got.body()).contains(user));
    }

    @Test
    void onlyUsersInTheAudienceWhenTheEventArrives() {
        Receiver receiver = receivers.fresh();
        String name = "purchase_" + System.nanoTime();
        triggered(receiver, "/vip", Plan.onEvent(name), Map.of("attribute", "plan", "op", "eq", "value", "pro"), null);
        String free = user("free").with("plan", "free").put();
        admin().body(event(free, name, Map.of())).post("/api/v1/events").then().statusCode(202)
                .body("entries", equalTo(0));

        // userAttributes are merged before triggers are evaluated.
        Map<String, Object> upgraded = event(free, name, Map.of());
        upgraded.put("userAttributes", Map.of("plan", "pro"));
        admin().body(upgraded).post("/api/v1/events").then().statusCode(202).body("entries", equalTo(1));
        receiver.await("/vip", 1);
        admin().get("/api/v1/users/{id}", free).then().body("attributes.plan", equalTo("pro"));
    }

    @Test
    void aRepeatedEventIdTriggersNothing() {
        Receiver receiver = receivers.fresh();
        String name = "signup_" + System.nanoTime();
        triggered(receiver, "/once", Plan.onEvent(name), null, null);
        String user = userId("repeat");
        Map<String, Object> event = event(user, name, Map.of());
        event.put("id", "client-key-1");
        String first = admin().body(event).post("/api/v1/events").then().statusCode(202)
                .body("duplicate", equalTo(false)).extract().path("id");
        admin().body(event).post("/api/v1/events").then().statusCode(202).body("duplicate", equalTo(true))
                .body("entries", equalTo(0)).body("id", equalTo(first));
        receiver.await("/once", 1);
        admin().get("/api/v1/users/{id}/events", user).then().body("items.size()", equalTo(1))
                .body("items[0].clientId", equalTo("client-key-1")).body("items[0].event", equalTo(name));
        assertThat(receiver.at("/once")).hasSize(1);
    }

    @Test
    void delayAndRelativeTimesAreMovedWithTheClock() {
        Receiver receiver = receivers.fresh();
        String later = "later_" + System.nanoTime();
        triggered(receiver, "/later", Plan.onEvent(later).withDelay("PT10M"), null, null);
        String reminder = "booked_" + System.nanoTime();
        triggered(receiver, "/reminder", Plan.onEvent(reminder).relativeTo("event.params.appointment_at", "-PT1H"),
                null, null);
        String user = userId("timer");
        admin().body(event(user, later, Map.of())).post("/api/v1/events").then().statusCode(202);
        Instant appointment = clock.instant().plus(Duration.ofHours(3));
        admin().body(event(user, reminder, Map.of("appointment_at", appointment.toString()))).post("/api/v1/events")
                .then().statusCode(202).body("entries", equalTo(1));

        clock.advance(Duration.ofMinutes(11));
        dispatcher.wakeUp();
        receiver.await("/later", 1);
        assertThat(receiver.at("/reminder")).isEmpty();
        String due = admin().get("/api/v1/deliveries?userId=" + user + "&status=PENDING").then().extract()
                .path("items[0].dueAt");
        assertThat(Instant.parse(due)).isEqualTo(appointment.minus(Duration.ofHours(1)).truncatedTo(
                java.time.temporal.ChronoUnit.MILLIS));
        clock.advance(Duration.ofHours(2));
        dispatcher.wakeUp();
        receiver.await("/reminder", 1);
    }

    @Test
    void attributeChangesTrigger() {
        Receiver receiver = receivers.fresh();
        String attribute = "tier_" + System.nanoTime();
        triggered(receiver, "/gold", Plan.onAttributeChange(attribute).to("gold"), null,
                Map.of("tier", "{user." + attribute + "}"));
        String user = user("tier").with(attribute, "silver").put();
        assertThat(receiver.at("/gold")).isEmpty();
        admin().body(Map.of("attributes", Map.of(attribute, "gold"))).patch("/api/v1/users/{id}", user).then()
                .statusCode(200);
        assertThat(receiver.await("/gold", 1).get(0).body()).isEqualTo("{\"tier\":\"gold\"}");
        admin().body(Map.of("attributes", Map.of(attribute, "gold", "other", 1))).put("/api/v1/users/{id}", user)
                .then().statusCode(200);
        Map<String, Object> event = event(user, "anything", Map.of());
        event.put("userAttributes", Map.of(attribute, "bronze"));
        admin().body(event).post("/api/v1/events").then().statusCode(202).body("entries", equalTo(0));
        assertThat(receiver.at("/gold")).hasSize(1);
    }

    @Test
    void perUserCapsSkipEntriesOverTheLimit() {
        Receiver receiver = receivers.fresh();
        String name = "capped_" + System.nanoTime();
        String id = campaign("capped", webhook(receiver.url("/capped"))).withPlan(Plan.onEvent(name))
                .withLimits(Limits.perUser(2, "P1D")).start();
        String user = userId("capped");
        for (int i = 0; i < 3; i++) {
            admin().body(event(user, name, Map.of())).post("/api/v1/events").then().statusCode(202)
                    .body("entries", equalTo(i < 2 ? 1 : 0));
        }
        receiver.await("/capped", 2);
        admin().get("/api/v1/deliveries?campaignId=" + id + "&status=SKIPPED").then()
                .body("items.size()", equalTo(1)).body("items[0].reason", equalTo("FREQUENCY_CAP"));

        clock.advance(Duration.ofDays(1).plusMinutes(1));
        admin().body(event(user, name, Map.of())).post("/api/v1/events").then().statusCode(202)
                .body("entries", equalTo(1));
        receiver.await("/capped", 3);
    }

    @Test
    void conditionsAreCheckedWhenDueAndTheNextActionStillFollows() {
        Receiver receiver = receivers.fresh();
        String name = "conditions_" + System.nanoTime();
        String id = campaign("conditions", webhook(receiver.url("/first")),
                webhook(receiver.url("/vip-only")).withDelay("PT1H")
                        .withCondition(Map.of("attribute", "vip", "op", "eq", "value", true)),
                webhook(receiver.url("/last"))).withPlan(Plan.onEvent(name)).start();
        String user = user("cond").with("vip", true).put();
        admin().body(event(user, name, Map.of())).post("/api/v1/events").then().statusCode(202);
        receiver.await("/first", 1);

        // The condition is checked when the action is due, on the user as it is then.
        admin().body(Map.of("attributes", Map.of("vip", false))).patch("/api/v1/users/{id}", user).then()
                .statusCode(200);
        clock.advance(Duration.ofMinutes(61));
        dispatcher.wakeUp();
        receiver.await("/last", 1);
        assertThat(receiver.at("/vip-only")).isEmpty();
        admin().get("/api/v1/deliveries?campaignId=" + id + "&status=SKIPPED").then()
                .body("items[0].reason", equalTo("CONDITION"));
    }

    @Test
    void exitOnCancelsAUsersPendingActions() {
        Receiver receiver = receivers.fresh();
        String name = "trial_" + System.nanoTime();
        String exit = "unsubscribed_" + System.nanoTime();
        String id = campaign("exit", webhook(receiver.url("/welcome")), webhook(receiver.url("/nudge")).withDelay("P2D"))
                .withPlan(Plan.onEvent(name)).exitingOn(exit).start();
        String user = userId("exit");
        admin().body(event(user, name, Map.of())).post("/api/v1/events").then().statusCode(202);
        receiver.await("/welcome", 1);
        admin().body(event(user, exit, Map.of())).post("/api/v1/events").then().statusCode(202);
        admin().get("/api/v1/deliveries?campaignId=" + id + "&status=CANCELLED").then()
                .body("items.size()", equalTo(1)).body("items[0].reason", equalTo("USER_EXITED"));
        clock.advance(Duration.ofDays(3));
        dispatcher.wakeUp();
        String other = userId("exit-marker");
        admin().body(event(other, name, Map.of())).post("/api/v1/events").then().statusCode(202);
        receiver.await("/welcome", 2);
        assertThat(receiver.at("/nudge")).isEmpty();
    }

    @Test
    void batchesAreAllOrNothingAndCountRepeats() {
        Receiver receiver = receivers.fresh();
        String name = "batch_" + System.nanoTime();
        triggered(receiver, "/batch", Plan.onEvent(name), null, null);
        String a = userId("batch-a");
        String b = userId("batch-b");
        Map<String, Object> first = event(a, name, Map.of());
        first.put("id", "k1");
        Map<String, Object> bad = event(b, name, Map.of());
        bad.put("time", "yesterday");
        Map<String, Object> noUser = Map.of("event", name);
        admin().body(Map.of("events", List.of(first, bad, noUser))).post("/api/v1/events/batch").then()
                .statusCode(400).body("errors.field", hasItem("events[1].time"))
                .body("errors.field", hasItem("events[2].userId"));
        admin().get("/api/v1/users/{id}/events", a).then().body("items.size()", equalTo(0));

        ingest().body(Map.of("events", List.of(first, event(b, name, Map.of()), first))).post("/api/v1/events/batch")
                .then().statusCode(202).body("accepted", equalTo(2)).body("duplicates", equalTo(1));
        receiver.await("/batch", 2);
        admin().body(Map.of("events", List.of())).post("/api/v1/events/batch").then().statusCode(400);
    }

    @Test
    void aBatchTakesEachUsersEventsInTheirOrderWhateverTheOtherUsersDo() {
        Receiver receiver = receivers.fresh();
        String name = "batch_order_" + System.nanoTime();
        triggered(receiver, "/order", Plan.onEvent(name), null, ordered("user", "{user.id}", "step", "{user.step}"));
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            users.add(userId("batch-order-" + i));
        }
        // Each user: step 1, a triggering event with step 2, step 3; the users interleaved.
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int step = 1; step <= 3; step++) {
            for (String user : users) {
                Map<String, Object> event = event(user, step == 2 ? name : "stepped", Map.of());
                event.put("userAttributes", Map.of("step", step));
                batch.add(event);
            }
        }
        ingest().body(Map.of("events", batch)).post("/api/v1/events/batch").then().statusCode(202)
                .body("accepted", equalTo(24)).body("duplicates", equalTo(0));

        users.forEach(user -> admin().get("/api/v1/users/{id}", user).then().statusCode(200)
                .body("attributes.step", equalTo(3)));
        // Each webhook shows its user as its own event left them.
        assertThat(receiver.await("/order", 8)).allSatisfy(received ->
                assertThat(received.body()).contains("\"step\":2"));
    }

    @Test
    void anEventNothingListensToCreatesItsUserAndCountsRepeats() {
        String user = userId("quiet-single");
        Map<String, Object> event = event(user, "quiet_" + System.nanoTime(), Map.of("page", "/docs"));
        event.put("id", "once");
        String id = ingest().body(event).post("/api/v1/events").then().statusCode(202)
                .body("duplicate", equalTo(false)).body("entries", equalTo(0)).extract().path("id");
        ingest().body(event).post("/api/v1/events").then().statusCode(202)
                .body("duplicate", equalTo(true)).body("id", equalTo(id));
        admin().get("/api/v1/users/{id}", user).then().statusCode(200).body("attributes.size()", equalTo(0));
        admin().get("/api/v1/users/{id}/events", user).then().body("items.size()", equalTo(1))
                .body("items[0].id", equalTo(id)).body("items[0].params.page", equalTo("/docs"));
    }

    @Test
    void aBatchNothingListensToCreatesItsUsersAndCountsRepeats() {
        String name = "quiet_batch_" + System.nanoTime();
        String ann = userId("quiet-batch-ann");
        String bob = userId("quiet-batch-bob");
        Map<String, Object> once = event(ann, name, Map.of("n", 1));
        once.put("id", "a1");
        ingest().body(Map.of("events", List.of(once, event(bob, name, Map.of("n", 2)), once)))
                .post("/api/v1/events/batch").then().statusCode(202)
                .body("accepted", equalTo(2)).body("duplicates", equalTo(1));
        admin().get("/api/v1/users/{id}", ann).then().statusCode(200).body("attributes.size()", equalTo(0));
        admin().get("/api/v1/users/{id}/events", bob).then().body("items.size()", equalTo(1))
                .body("items[0].params.n", equalTo(2));

        // Batches of the same new users, in opposite orders, at once: each is stored whole.
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            users.add(userId("quiet-batch-many-" + i));
        }
        List<Map<String, Object>> forward = users.stream().map(u -> event(u, name, Map.of())).toList();
        List<Map<String, Object>> backward = new ArrayList<>(forward);
        Collections.reverse(backward);
        List.of(forward, backward, forward, backward).parallelStream().forEach(batch -> ingest()
                .body(Map.of("events", batch)).post("/api/v1/events/batch").then().statusCode(202)
                .body("accepted", equalTo(50)));
        admin().get("/api/v1/users/{id}/events", users.get(0)).then().body("items.size()", equalTo(4));
    }

    @Test
    void aMixedBatchStoresQuietEventsTogetherAndTriggersInOrder() {
        Receiver receiver = receivers.fresh();
        String name = "mixed_" + System.nanoTime();
        String quietName = "seen_" + System.nanoTime();
        // Sends once the user has seen the page at least twice, counting this batch's events.
        triggered(receiver, "/mixed", Plan.onEvent(name), Map.of("event", quietName,
                "count", Map.of("op", "gte", "value", 2)), null);
        String busy = userId("mixed-busy");
        String quiet = userId("mixed-quiet");
        String changed = userId("mixed-changed");
        Map<String, Object> repeated = event(quiet, quietName, Map.of("n", 1));
        repeated.put("id", "q1");
        Map<String, Object> withAttributes = event(changed, quietName, Map.of());
        withAttributes.put("userAttributes", Map.of("plan", "pro"));
        List<Map<String, Object>> batch = List.of(event(busy, quietName, Map.of()), repeated,
                event(busy, quietName, Map.of()), event(busy, name, Map.of()), repeated,
                event(quiet, quietName, Map.of("n", 2)), withAttributes);

        ingest().body(Map.of("events", batch)).post("/api/v1/events/batch").then().statusCode(202)
                .body("accepted", equalTo(6)).body("duplicates", equalTo(1));
        receiver.await("/mixed", 1);
        admin().get("/api/v1/users/{id}/events", quiet).then().body("items.size()", equalTo(2))
                .body("items.params.n", containsInAnyOrder(1, 2));
        admin().get("/api/v1/users/{id}/events", busy).then().body("items.size()", equalTo(3));
        admin().get("/api/v1/users/{id}", changed).then().body("attributes.plan", equalTo("pro"));
        ingest().body(Map.of("events", List.of(repeated))).post("/api/v1/events/batch").then().statusCode(202)
                .body("accepted", equalTo(0)).body("duplicates", equalTo(1));
    }

    @Test
    void audiencesCanCountEventsIncludingTheOneJustTracked() {
        Receiver receiver = receivers.fresh();
        String name = "repeat_buyer_" + System.nanoTime();
        triggered(receiver, "/second", Plan.onEvent(name), Map.of("event", name,
                "count", Map.of("op", "gte", "value", 2), "within", "P30D",
                "where", Map.of("param", "amount", "op", "gt", "value", 5)), null);
        String user = userId("buyer");
        admin().body(event(user, name, Map.of("amount", 10))).post("/api/v1/events").then().body("entries", equalTo(0));
        admin().body(event(user, name, Map.of("amount", 1))).post("/api/v1/events").then().body("entries", equalTo(0));
        admin().body(event(user, name, Map.of("amount", 7))).post("/api/v1/events").then().body("entries", equalTo(1));
        receiver.await("/second", 1);
        admin().body(Map.of("audience", Map.of("event", name, "count", Map.of("op", "eq", "value", 3))))
                .post("/api/v1/audience/count").then().statusCode(200).body("count", equalTo(1));
    }

    @Test
    void anEventWhoseTriggersFailIsNotAcknowledgedNorStored() {
        Receiver receiver = receivers.fresh();
        String name = "failing_" + System.nanoTime();
        String campaign = triggered(receiver, "/failing", Plan.onEvent(name), null, null);
        // Writing this campaign's entry fails inside the database, after the event was stored.
        String fail = "herald_test_fail_" + System.nanoTime();
        sql("CREATE FUNCTION " + fail + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.campaign_id = '" + campaign + "' THEN RAISE EXCEPTION 'injected failure'; END IF;"
                + " RETURN NEW; END $$");
        sql("CREATE TRIGGER " + fail + " BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION " + fail + "()");
        String user = userId("failing");
        Map<String, Object> event = event(user, name, Map.of());
        event.put("userAttributes", Map.of("seen", true));
        try {
            admin().body(event).post("/api/v1/events").then().statusCode(500).contentType("application/problem+json");
        } finally {
            sql("DROP TRIGGER " + fail + " ON deliveries");
            sql("DROP FUNCTION " + fail + "()");
        }
        admin().get("/api/v1/users/{id}/events", user).then().body("items.size()", equalTo(0));
        admin().get("/api/v1/users/{id}", user).then().statusCode(404);
        admin().body(event).post("/api/v1/events").then().statusCode(202).body("entries", equalTo(1));
        receiver.await("/failing", 1);
    }

    @Test
    void aCampaignDeletedElsewhereGetsNoEntriesFromAStaleIndex() {
        Receiver receiver = receivers.fresh();
        String name = "vanishing_" + System.nanoTime();
        String campaign = triggered(receiver, "/vanishing", Plan.onEvent(name), null, null);
        // Another instance deleted the campaign and this one has not heard yet.
        sql("DELETE FROM campaigns WHERE id = '" + campaign + "'");
        String user = userId("vanishing");
        admin().body(event(user, name, Map.of())).post("/api/v1/events").then().statusCode(202)
                .body("entries", equalTo(0));
        assertThat(Rows.deliveries(pool, "campaign_id = $1", UUID.fromString(campaign))).isZero();
        triggerIndex.refresh().await().indefinitely();
    }

    private void sql(String statement) {
        pool.query(statement).execute().await().indefinitely();
    }

    @Test
    void pausedCampaignsDoNotTrigger() {
        Receiver receiver = receivers.fresh();
        String name = "paused_" + System.nanoTime();
        String campaign = triggered(receiver, "/paused", Plan.onEvent(name), null, null);
        admin().post("/api/v1/campaigns/{id}/pause", campaign).then().statusCode(200);
        admin().body(event(userId("p"), name, Map.of())).post("/api/v1/events").then().statusCode(202)
                .body("entries", equalTo(0));
    }

    @Test
    void badEventsAreRefusedAndNothingIsStored() {
        String user = userId("bad");
        Map<String, Object> old = event(user, "x", Map.of());
        old.put("time", clock.instant().minus(Duration.ofDays(31)).toString());
        admin().body(old).post("/api/v1/events").then().statusCode(400).body("errors.field", hasItem("time"));
        Map<String, Object> ahead = event(user, "x", Map.of());
        ahead.put("time", clock.instant().plus(Duration.ofMinutes(10)).toString());
        admin().body(ahead).post("/api/v1/events").then().statusCode(400).body("errors.field", hasItem("time"));
        admin().body(Map.of("event", "x")).post("/api/v1/events").then().statusCode(400)
                .body("errors.field", hasItem("userId"));
        admin().body(Map.of("userId", user, "event", "x", "params", List.of(1))).post("/api/v1/events").then()
                .statusCode(400).body("errors.field", hasItem("params"));

        Map<String, Object> tooMany = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            tooMany.put("a" + i, i);
        }
        Map<String, Object> overLimit = event(user, "x", Map.of());
        overLimit.put("userAttributes", tooMany);
        admin().body(overLimit).post("/api/v1/events").then().statusCode(400);
        admin().get("/api/v1/users/{id}/events", user).then().body("items.size()", equalTo(0));
        admin().get("/api/v1/users/{id}", user).then().statusCode(404);
    }
}
