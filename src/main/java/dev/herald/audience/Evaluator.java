package dev.herald.audience;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.herald.platform.Durations;

/** Evaluates criteria in memory, for triggers, conditions and previews. Agrees with {@link SqlCompiler}. */
public final class Evaluator {

    /**
     * What a tree is evaluated against: {@code params} are the triggering event's, if any;
     * {@code events} are the user's events of the names the tree counts (null when it counts none).
     */
    public record Subject(String userId, JsonNode attributes, Instant createdAt, JsonNode params, Instant now,
            List<EventFact> events) {

        public Subject(String userId, JsonNode attributes, Instant createdAt, JsonNode params, Instant now) {
            this(userId, attributes, createdAt, params, now, null);
        }

        /** The same user, judged against another event's parameters. */
        public Subject withParams(JsonNode eventParams) {
            return new Subject(userId, attributes, createdAt, eventParams, now, events);
        }
    }

    /** The event names a tree counts: load those of the user's events into {@link Subject#events()}. */
    public static Set<String> eventNames(Criteria criteria) {
        return criteria == null ? Set.of() : Criteria.eventNames(criteria);
    }

    private Evaluator() {
    }

    /** True for no criteria at all: an absent audience is every user. */
    public static boolean matches(Criteria criteria, Subject subject) {
        return criteria == null || explain(criteria, subject).matched();
    }

    /** The tree evaluated node by node for this subject; what {@link #matches} decides by. */
    public static Explanation explain(Criteria criteria, Subject subject) {
        if (criteria instanceof Criteria.All all) {
            List<Explanation> parts = all.parts().stream().map(part -> explain(part, subject)).toList();
            return new Explanation("all", "all of " + parts.size(), null,
                    parts.stream().allMatch(Explanation::matched), parts);
        }
        if (criteria instanceof Criteria.Any any) {
            List<Explanation> parts = any.parts().stream().map(part -> explain(part, subject)).toList();
            return new Explanation("any", "any of " + parts.size(), null,
                    parts.stream().anyMatch(Explanation::matched), parts);
        }
        if (criteria instanceof Criteria.Not not) {
            Explanation part = explain(not.part(), subject);
            return new Explanation("not", "not", null, !part.matched(), List.of(part));
        }
        if (criteria instanceof Criteria.Attribute a) {
            JsonNode actual = subject.attributes() == null ? null : subject.attributes().get(a.name());
            return Explanation.leaf("attribute", words(a.name(), a.op(), a.value()), actual,
                    test(a.op(), actual, a.value()));
        }
        if (criteria instanceof Criteria.Param p) {
            JsonNode actual = subject.params() == null ? null : subject.params().get(p.name());
            return Explanation.leaf("param", words(p.name(), p.op(), p.value()), actual,
                    test(p.op(), actual, p.value()));
        }
        if (criteria instanceof Criteria.UserId u) {
            JsonNode actual = TextNode.valueOf(subject.userId());
            return Explanation.leaf("userId", words("userId", u.op(), u.value()), actual,
                    test(u.op(), actual, u.value()));
        }
        if (criteria instanceof Criteria.Bucket b) {
            int bucket = Values.bucket(subject.userId());
            return Explanation.leaf("bucket", "bucket between " + b.from() + " and " + b.to(),
                    IntNode.valueOf(bucket), bucket >= b.from() && bucket <= b.to());
        }
        if (criteria instanceof Criteria.EventCount count) {
            long n = 0;
            Instant since = count.within() == null ? null : subject.now().minus(count.within());
            for (EventFact event : subject.events() == null ? List.<EventFact> of() : subject.events()) {
                if (event.name().equals(count.event()) && (since == null || !event.time().isBefore(since))
                        && matches(count.where(), subject.withParams(event.params()))) {
                    n++;
                }
            }
            String test = count.event() + " count " + count.countOp().json + " " + count.countValue()
                    + (count.within() == null ? " ever" : " within " + Durations.shown(count.within()))
                    + (count.where() == null ? "" : " where its parameters match");
            return Explanation.leaf("event", test, LongNode.valueOf(n),
                    test(count.countOp(), LongNode.valueOf(n), LongNode.valueOf(count.countValue())));
        }
        Criteria.CreatedWithin c = (Criteria.CreatedWithin) criteria;
        return Explanation.leaf("createdWithin", "first seen within " + Durations.shown(c.period()),
                TextNode.valueOf(subject.createdAt().toString()),
                !subject.createdAt().isBefore(subject.now().minus(c.period())));
    }

    private static String words(String name, Operator op, JsonNode value) {
        return name + " " + op.json + (value == null || value.isMissingNode() ? "" : " " + value);
    }

    static boolean test(Operator op, JsonNode actual, JsonNode expected) {
        return switch (op) {
            case EXISTS -> !Values.missing(actual);
            case NOT_EXISTS -> Values.missing(actual);
            case EQ -> Values.equal(actual, expected);
            case NE -> !Values.equal(actual, expected);
            case IN -> in(actual, expected);
            case NOT_IN -> !in(actual, expected);
            case GT -> compare(actual, expected) > 0;
            case GTE -> compare(actual, expected) >= 0;
            case LT -> compare(actual, expected) < 0 && compare(actual, expected) != NO_ORDER;
            case LTE -> compare(actual, expected) <= 0 && compare(actual, expected) != NO_ORDER;
            case BETWEEN -> compare(actual, expected.get(0)) >= 0 && compare(actual, expected.get(1)) <= 0
                    && compare(actual, expected.get(1)) != NO_ORDER;
            case STARTS_WITH -> !Values.missing(actual) && actual.isTextual()
                    && actual.asText().startsWith(expected.asText());
            case CONTAINS -> contains(actual, expected);
        };
    }

    private static final int NO_ORDER = Integer.MIN_VALUE;

    /** -1, 0 or 1; {@link #NO_ORDER} when the values cannot be ordered (missing, other kinds). */
    private static int compare(JsonNode actual, JsonNode expected) {
        if (Values.missing(actual)) {
            return NO_ORDER;
        }
        Integer order = Values.order(actual, expected);
        return order == null ? NO_ORDER : order;
    }

    private static boolean in(JsonNode actual, JsonNode expected) {
        for (JsonNode candidate : expected) {
            if (Values.equal(actual, candidate)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(JsonNode actual, JsonNode expected) {
        if (Values.missing(actual)) {
            return false;
        }
        if (actual.isTextual() && expected.isTextual()) {
            return actual.asText().contains(expected.asText());
        }
        if (actual.isArray()) {
            for (JsonNode item : actual) {
                if (Values.equal(item, expected)) {
                    return true;
                }
            }
        }
        return false;
    }
}
