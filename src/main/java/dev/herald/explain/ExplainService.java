package dev.herald.explain;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.Criteria;
import dev.herald.audience.EventFact;
import dev.herald.audience.Evaluator;
import dev.herald.audience.Explanation;
import dev.herald.campaign.Action;
import dev.herald.campaign.Campaign;
import dev.herald.campaign.Limits;
import dev.herald.campaign.QuietHours;
import dev.herald.campaign.SendPlan;
import dev.herald.delivery.DeliveryQueries;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.delivery.DeliveryStore;
import dev.herald.delivery.DeliveryView;
import dev.herald.event.EventStore;
import dev.herald.event.TrackedEvent;
import dev.herald.explain.Explained.Check;
import dev.herald.explain.Explained.Result;
import dev.herald.explain.Explained.Verdict;
import dev.herald.platform.Durations;
import dev.herald.platform.Sql;
import dev.herald.user.User;
import dev.herald.user.UserStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Explains a campaign's outcome for one user with the engine's own parts: the evaluator that
 * triggers and conditions use, the SQL that runs select users with, the per-user count that
 * caps use, and the quiet hours the dispatcher waits for.
 */
@ApplicationScoped
public class ExplainService {

    static final int DELIVERIES_SHOWN = 20;
    static final int TRIGGER_EVENTS_SHOWN = 5;

    private final UserStore users;
    private final EventStore events;
    private final DeliveryStore deliveryStore;
    private final DeliveryQueries deliveries;
    private final Pool pool;
    private final Clock clock;

    public ExplainService(UserStore users, EventStore events, DeliveryStore deliveryStore, DeliveryQueries deliveries,
            Pool pool, Clock clock) {
        this.pool = pool;
        this.users = users;
        this.events = events;
        this.deliveryStore = deliveryStore;
        this.deliveries = deliveries;
        this.clock = clock;
    }

    /** What the user's facts would be now; read together, then judged in memory. */
    private record Facts(User user, List<EventFact> history, boolean inAudienceSql, List<TrackedEvent> triggerEvents,
            long entries, List<DeliveryView> deliveries) {
    }

    public Uni<Explained> explain(Campaign campaign, String userId) {
        Instant now = Sql.millis(clock.instant());
        return users.find(userId).chain(user -> {
            Uni<List<DeliveryView>> shown = deliveries.list(new DeliveryQueries.Filter(campaign.id(), userId, null,
                    null, null, null, null, DELIVERIES_SHOWN));
            if (user == null) {
                return shown.map(found -> unknownUser(campaign, userId, now, found));
            }
            return Uni.combine().all().unis(history(campaign, userId), users.inAudience(userId,
                    campaign.audience().criteria(), now), triggerEvents(campaign, userId), entries(campaign, userId, now),
                    shown).asTuple()
                    .map(t -> judge(campaign, now, new Facts(user, t.getItem1(), t.getItem2(), t.getItem3(),
                            t.getItem4(), t.getItem5())));
        });
    }

    private Explained unknownUser(Campaign campaign, String userId, Instant now, List<DeliveryView> found) {
        List<Check> checks = List.of(status(campaign), Check.of("user", Result.FAIL, "No user has the id " + userId
                + ". A user exists once PUT /users/{id} stores it or its first event arrives."));
        return new Explained(campaign.id(), userId, now, Verdict.UNKNOWN_USER,
                "No user has the id " + userId + ".", checks, found);
    }

    private Explained judge(Campaign campaign, Instant now, Facts facts) {
        User user = facts.user();
        Evaluator.Subject subject = new Evaluator.Subject(user.id(), user.attributes(), user.createdAt(), null, now,
                facts.history());
        List<Check> checks = new ArrayList<>();
        checks.add(status(campaign));
        checks.add(Check.of("user", Result.PASS, "The user exists, first seen " + user.createdAt() + "."));
        checks.add(audience(campaign, subject, facts.inAudienceSql()));
        checks.add(plan(campaign, subject, facts.triggerEvents()));
        Limits limits = campaign.limits();
        if (limits.perUser() != null) {
            checks.add(perUser(limits.perUser(), facts.entries()));
        }
        if (limits.quietHours() != null) {
            checks.add(quietHours(limits.quietHours(), user, now));
        }
        if (limits.maxPerMinute() != null) {
            checks.add(Check.of("maxPerMinute", Result.INFO, "At most " + limits.maxPerMinute()
                    + " webhooks a minute leave for this campaign; those over it wait for the next minute."));
        }
        List<Action> actions = campaign.actions();
        for (int i = 0; i < actions.size(); i++) {
            Criteria condition = actions.get(i).parsed().condition();
            if (condition != null) {
                checks.add(condition(i, actions.get(i), Evaluator.explain(condition, subject)));
            }
        }
        return verdict(campaign, user.id(), now, checks, facts.deliveries());
    }

    private static Check status(Campaign campaign) {
        return switch (campaign.status()) {
            case ACTIVE -> Check.of("status", Result.PASS, "The campaign is ACTIVE since " + campaign.startedAt() + ".");
            case DRAFT -> Check.of("status", Result.FAIL, "The campaign is a DRAFT: nothing is sent until it is "
                    + "started (POST /campaigns/{id}/start).");
            case PAUSED -> Check.of("status", Result.FAIL, "The campaign is PAUSED: no run fires, no trigger enters, "
                    + "and pending deliveries wait until it is started again.");
            case FINISHED -> Check.of("status", Result.FAIL, "The campaign is FINISHED since " + campaign.finishedAt()
                    + ": it sends nothing more, and its pending deliveries were cancelled.");
        };
    }

    private static Check audience(Campaign campaign, Evaluator.Subject subject, boolean inAudienceSql) {
        Criteria criteria = campaign.audience().criteria();
        if (criteria == null) {
            return Check.of("audience", Result.PASS, "The campaign has no audience: every user is in it.");
        }
        Explanation tree = Evaluator.explain(criteria, subject);
        // Runs select their users in SQL, triggers in memory; both must say the same.
        boolean inAudience = campaign.plan() instanceof SendPlan.Triggered ? tree.matched() : inAudienceSql;
        String detail = inAudience ? "The user is in the audience."
                : "The user is not in the audience: " + firstFailing(tree) + ".";
        if (tree.matched() != inAudienceSql) {
            detail += " Runs (SQL) and triggers (in memory) disagree for this user: runs say "
                    + (inAudienceSql ? "in" : "out") + ", triggers " + (tree.matched() ? "in" : "out")
                    + ". This is a bug in Herald; please report it with this explanation.";
        }
        return new Check("audience", inAudience ? Result.PASS : Result.FAIL, detail, tree);
    }

    /** The first leaf that made its branch fail, in words with the user's value. */
    private static String firstFailing(Explanation node) {
        if (node.parts().isEmpty() || "not".equals(node.kind())) {
            String actual = node.actual() == null || node.actual().isNull() ? "absent" : node.actual().toString();
            return ("not".equals(node.kind()) ? "not (" + node.parts().get(0).test() + ")" : node.test())
                    + " is false (the user's value: " + actual + ")";
        }
        for (Explanation part : node.parts()) {
            if (!part.matched()) {
                return firstFailing(part);
            }
        }
        return node.test() + " is false: none of its parts holds";
    }

    private static Check plan(Campaign campaign, Evaluator.Subject subject, List<TrackedEvent> triggerEvents) {
        SendPlan plan = campaign.plan();
        if (plan instanceof SendPlan.Manual) {
            return Check.of("plan", Result.INFO, "MANUAL: users enter when POST /campaigns/{id}/send is called "
                    + "(the deliveries below show the runs this user was in).");
        }
        if (plan instanceof SendPlan.OneTime || plan instanceof SendPlan.Recurring) {
            return Check.of("plan", Result.INFO, plan.type() + ": " + (campaign.nextRunAt() == null
                    ? "no fire time is left." : "the next fire time is " + campaign.nextRunAt() + "."));
        }
        SendPlan.Triggered triggered = (SendPlan.Triggered) plan;
        if (triggered.trigger() instanceof SendPlan.OnAttribute on) {
            JsonNode value = subject.attributes() == null ? null : subject.attributes().get(on.attribute());
            return Check.of("trigger", Result.INFO, "The user enters when the attribute " + on.attribute()
                    + " changes" + (on.to() == null ? "" : " to " + on.to()) + "; it is now "
                    + (value == null ? "absent" : value.toString()) + ".");
        }
        SendPlan.OnEvent on = (SendPlan.OnEvent) triggered.trigger();
        if (triggerEvents.isEmpty()) {
            return Check.of("trigger", Result.FAIL, "The user enters on the event " + on.event()
                    + ", and has tracked none.");
        }
        if (on.where() == null) {
            return Check.of("trigger", Result.PASS, "The user enters on the event " + on.event() + ", last tracked "
                    + triggerEvents.get(0).time() + ".");
        }
        // The newest event's parameters against where; the ones before it are counted.
        Explanation newest = Evaluator.explain(on.where(), subject.withParams(triggerEvents.get(0).params()));
        long matching = triggerEvents.stream()
                .filter(event -> Evaluator.matches(on.where(), subject.withParams(event.params()))).count();
        return new Check("trigger", matching > 0 ? Result.PASS : Result.FAIL, "The user enters on the event "
                + on.event() + " whose parameters match where; " + matching + " of the user's last "
                + triggerEvents.size() + " such events match (the tree shows the newest, tracked "
                + triggerEvents.get(0).time() + ").", newest);
    }

    private static Check perUser(Limits.PerUser cap, long entries) {
        String window = cap.window() == null ? "ever" : "in the last " + Durations.shown(cap.window());
        if (entries >= cap.max()) {
            return Check.of("perUser", Result.FAIL, "The user has had " + entries + " of at most " + cap.max()
                    + " entries " + window + ": a further entry is SKIPPED with reason FREQUENCY_CAP.");
        }
        return Check.of("perUser", Result.PASS, "The user has had " + entries + " of at most " + cap.max()
                + " entries " + window + ".");
    }

    private static Check quietHours(QuietHours quiet, User user, Instant now) {
        Instant end = quiet.endAround(now, user);
        String window = quiet.start() + " to " + quiet.end() + " (" + ("user".equals(quiet.zone())
                ? "the user's timeZone" : quiet.zone()) + ")";
        if (end != null) {
            return Check.of("quietHours", Result.WAIT, "It is inside the quiet hours " + window
                    + ": a webhook due now waits until " + end + ".");
        }
        return Check.of("quietHours", Result.PASS, "It is outside the quiet hours " + window + ".");
    }

    private static Check condition(int index, Action action, Explanation tree) {
        String name = "condition of action " + index + (action.name() == null ? "" : " (" + action.name() + ")");
        return new Check("condition", tree.matched() ? Result.PASS : Result.FAIL, tree.matched()
                ? "The " + name + " holds now."
                : "The " + name + " does not hold now: " + firstFailing(tree) + ". It is checked when the action is "
                        + "first due; if it does not hold then, the delivery is SKIPPED with reason CONDITION.",
                tree);
    }

    private static Explained verdict(Campaign campaign, String userId, Instant now, List<Check> checks,
            List<DeliveryView> found) {
        List<DeliveryView> real = found.stream().filter(d -> !d.test()).toList();
        Check stop = checks.stream().filter(check -> check.result() == Result.FAIL).findFirst().orElse(null);
        Verdict verdict;
        String summary;
        if (real.stream().anyMatch(d -> d.status() == DeliveryStatus.DELIVERED)) {
            verdict = Verdict.RECEIVED;
            summary = "A webhook of this campaign reached the user's destination.";
        } else if (real.stream().anyMatch(d -> !d.status().isFinal())) {
            verdict = Verdict.ON_ITS_WAY;
            summary = "The user's deliveries are not final yet.";
        } else if (!real.isEmpty()) {
            DeliveryView last = real.get(0);
            verdict = Verdict.NOT_DELIVERED;
            summary = "The user's deliveries ended without reaching the destination: the newest is " + last.status()
                    + (last.reason() == null ? "" : " (" + last.reason() + ")") + ".";
        } else if (stop != null) {
            verdict = Verdict.WOULD_NOT_ENTER;
            summary = stop.detail();
        } else {
            verdict = Verdict.WOULD_ENTER;
            summary = "Every check passes: the next " + (campaign.plan() instanceof SendPlan.Triggered ? "trigger"
                    : "run") + " would reach the user.";
        }
        return new Explained(campaign.id(), userId, now, verdict, summary, checks, found);
    }

    /** The user's events that the audience and the actions' conditions count. */
    private Uni<List<EventFact>> history(Campaign campaign, String userId) {
        Set<String> names = new HashSet<>(Evaluator.eventNames(campaign.audience().criteria()));
        campaign.actions().forEach(action -> names.addAll(Evaluator.eventNames(action.parsed().condition())));
        return events.facts(pool, List.of(userId), names)
                .map(found -> found.getOrDefault(userId, List.of()));
    }

    private Uni<List<TrackedEvent>> triggerEvents(Campaign campaign, String userId) {
        if (campaign.plan() instanceof SendPlan.Triggered triggered
                && triggered.trigger() instanceof SendPlan.OnEvent on) {
            return events.list(userId, on.event(), null, TRIGGER_EVENTS_SHOWN);
        }
        return Uni.createFrom().item(List.of());
    }

    private Uni<Long> entries(Campaign campaign, String userId, Instant now) {
        Limits.PerUser cap = campaign.limits().perUser();
        if (cap == null) {
            return Uni.createFrom().item(0L);
        }
        return deliveryStore.countEntries(pool, campaign.id(), userId,
                cap.window() == null ? null : now.minus(cap.window()));
    }
}
