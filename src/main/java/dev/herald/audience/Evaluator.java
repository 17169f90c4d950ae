package dev.herald.audience;

import com.fasterxml.jackson.databind.node.LongNode;
import java.util.Set;
import java.util.List;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

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

        Subject withParams(JsonNode eventParams) {
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
        if (criteria == null) {
            return true;
        }
        if (criteria instanceof Criteria.All all) {
            return all.parts().stream().allMatch(part -> matches(part, subject));
        }
        if (criteria instanceof Criteria.Any any) {
            return any.parts().stream().anyMatch(part -> matches(part, subject));
        }
        if (criteria instanceof Criteria.Not not) {
            return !matches(not.part(), subject);
        }
        if (criteria instanceof Criteria.Attribute a) {
            return test(a.op(), subject.attributes() == null ? null : subject.attributes().get(a.name()), a.value());
        }
        if (criteria instanceof Criteria.Param p) {
            return test(p.op(), subject.params() == null ? null : subject.params().get(p.name()), p.value());
        }
        if (criteria instanceof Criteria.UserId u) {
            return test(u.op(), TextNode.valueOf(subject.userId()), u.value());
        }
        if (criteria instanceof Criteria.Bucket b) {
            int bucket = Values.bucket(subject.userId());
            return bucket >= b.from() && bucket <= b.to();
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
            return test(count.countOp(), LongNode.valueOf(n),
                    LongNode.valueOf(count.countValue()));
        }
        Criteria.CreatedWithin c = (Criteria.CreatedWithin) criteria;
        return !subject.createdAt().isBefore(subject.now().minus(c.period()));
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
