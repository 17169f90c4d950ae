package dev.herald.audience;

import java.time.DateTimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.platform.Problems;

/**
 * Reads and checks a criteria tree. Every problem is reported with the path of its node
 * ({@code audience.all[1].op}), all at once; an invalid tree is never stored.
 */
public final class CriteriaParser {

    /** Where a tree is used: a trigger's {@code where} may test event parameters. */
    public enum Use {
        AUDIENCE, CONDITION, WHERE
    }

    static final int MAX_DEPTH = 10;

    private CriteriaParser() {
    }

    /** Parses a tree that was checked when it was stored; null for none. */
    public static Criteria parseStored(JsonNode node, Use use) {
        Problems.Collector errors = new Problems.Collector();
        Criteria criteria = parse(node, "stored", use, errors);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("A stored criteria tree is not valid");
        }
        return criteria;
    }

    /** Parses {@code node} (null or JSON null: no criteria) and adds its problems to {@code errors}. */
    public static Criteria parse(JsonNode node, String path, Use use, Problems.Collector errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        return new Reader(use, errors).read(node, path, 1);
    }

    private record Reader(Use use, Problems.Collector errors) {

        Criteria read(JsonNode node, String path, int depth) {
            if (depth > MAX_DEPTH) {
                errors.add(path, "criteria may nest at most " + MAX_DEPTH + " levels deep");
                return null;
            }
            if (!node.isObject()) {
                errors.add(path, "must be a criteria object such as {\"attribute\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}");
                return null;
            }
            if (node.has("all")) {
                return only(node, path, Set.of("all")) ? new Criteria.All(list(node.get("all"), path + ".all", depth))
                        : null;
            }
            if (node.has("any")) {
                return only(node, path, Set.of("any")) ? new Criteria.Any(list(node.get("any"), path + ".any", depth))
                        : null;
            }
            if (node.has("not")) {
                if (!only(node, path, Set.of("not"))) {
                    return null;
                }
                Criteria part = read(node.get("not"), path + ".not", depth + 1);
                return part == null ? null : new Criteria.Not(part);
            }
            if (node.has("attribute")) {
                String name = name(node.get("attribute"), path + ".attribute");
                Operator op = test(node, path, Set.of("attribute", "op", "value"));
                return name == null || op == null ? null : new Criteria.Attribute(name, op, node.get("value"));
            }
            if (node.has("param")) {
                if (use != Use.WHERE) {
                    errors.add(path + ".param", "event parameters can only be tested in a trigger's where");
                    return null;
                }
                String name = name(node.get("param"), path + ".param");
                Operator op = test(node, path, Set.of("param", "op", "value"));
                return name == null || op == null ? null : new Criteria.Param(name, op, node.get("value"));
            }
            if (node.has("userId")) {
                JsonNode inner = node.get("userId");
                if (!only(node, path, Set.of("userId")) || !inner.isObject()) {
                    if (!inner.isObject()) {
                        errors.add(path + ".userId", "must be {\"op\": ..., \"value\": ...}");
                    }
                    return null;
                }
                Operator op = test(inner, path + ".userId", Set.of("op", "value"));
                return op == null ? null : new Criteria.UserId(op, inner.get("value"));
            }
            if (node.has("bucket")) {
                return bucket(node, path);
            }
            if (node.has("createdWithin")) {
                if (!only(node, path, Set.of("createdWithin"))) {
                    return null;
                }
                Duration period = period(node.get("createdWithin"), path + ".createdWithin");
                return period == null ? null : new Criteria.CreatedWithin(period);
            }
            if (node.has("event")) {
                return eventCount(node, path, depth);
            }
            errors.add(path, "unknown criteria node; use all, any, not, attribute, param, event, userId, bucket or "
                    + "createdWithin");
            return null;
        }

        private List<Criteria> list(JsonNode node, String path, int depth) {
            List<Criteria> parts = new ArrayList<>();
            if (node == null || !node.isArray() || node.isEmpty()) {
                errors.add(path, "must be a non-empty array of criteria");
                return parts;
            }
            for (int i = 0; i < node.size(); i++) {
                Criteria part = read(node.get(i), path + "[" + i + "]", depth + 1);
                if (part != null) {
                    parts.add(part);
                }
            }
            return parts;
        }

        private boolean only(JsonNode node, String path, Set<String> allowed) {
            boolean ok = true;
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String field = names.next();
                if (!allowed.contains(field)) {
                    errors.add(path + "." + field, "is not a field of this criteria node");
                    ok = false;
                }
            }
            return ok;
        }

        private String name(JsonNode node, String path) {
            if (node == null || !node.isTextual() || node.asText().isEmpty() || node.asText().length() > 128) {
                errors.add(path, "must be a name of 1 to 128 characters");
                return null;
            }
            return node.asText();
        }

        /** Checks {@code op} and that {@code value} has the shape the operator needs. */
        private Operator test(JsonNode node, String path, Set<String> allowed) {
            if (!only(node, path, allowed)) {
                return null;
            }
            JsonNode opNode = node.get("op");
            Operator op = opNode != null && opNode.isTextual() ? Operator.of(opNode.asText()) : null;
            if (op == null) {
                errors.add(path + ".op", "must be one of " + Operator.names());
                return null;
            }
            JsonNode value = node.get("value");
            String problem = switch (op) {
                case EQ, NE, CONTAINS -> scalar(value) ? null : "must be a string, number or boolean";
                case GT, GTE, LT, LTE -> value != null && (value.isNumber() || value.isTextual()) ? null
                        : "must be a number or a string (booleans have no order)";
                case STARTS_WITH -> value != null && value.isTextual() ? null : "must be a string";
                case IN, NOT_IN -> value != null && value.isArray() && !value.isEmpty()
                        && allScalar(value) ? null : "must be a non-empty array of strings, numbers or booleans";
                case EXISTS, NOT_EXISTS -> value == null || value.isNull() ? null : "must be left out for " + op.json;
                case BETWEEN -> value != null && value.isArray() && value.size() == 2 && bothOrdered(value) ? null
                        : "must be [low, high]: two numbers or two strings";
            };
            if (problem != null) {
                errors.add(path + ".value", problem);
                return null;
            }
            return op;
        }

        private Criteria eventCount(JsonNode node, String path, int depth) {
            if (use == Use.WHERE) {
                errors.add(path + ".event", "event counts cannot be used inside a where");
                return null;
            }
            if (!only(node, path, Set.of("event", "count", "within", "where"))) {
                return null;
            }
            String name = name(node.get("event"), path + ".event");
            Operator op = Operator.GTE;
            long value = 1;
            JsonNode count = node.get("count");
            if (count != null && !count.isNull()) {
                JsonNode opNode = count.get("op");
                op = opNode != null && opNode.isTextual() ? Operator.of(opNode.asText()) : null;
                if (op == null || !Set.of(Operator.EQ, Operator.NE, Operator.GT, Operator.GTE, Operator.LT, Operator.LTE)
                        .contains(op)) {
                    errors.add(path + ".count.op", "must be one of eq, ne, gt, gte, lt, lte");
                    op = null;
                }
                JsonNode v = count.get("value");
                if (v == null || !v.isIntegralNumber() || v.asLong() < 0) {
                    errors.add(path + ".count.value", "must be a whole number of at least 0");
                    op = null;
                } else {
                    value = v.asLong();
                }
            }
            Duration within = null;
            if (node.hasNonNull("within")) {
                within = period(node.get("within"), path + ".within");
            }
            Criteria where = null;
            if (node.hasNonNull("where")) {
                where = new Reader(Use.WHERE, errors).read(node.get("where"), path + ".where", depth + 1);
            }
            if (name == null || op == null || (node.hasNonNull("within") && within == null)
                    || (node.hasNonNull("where") && where == null)) {
                return null;
            }
            return new Criteria.EventCount(name, op, value, within, where);
        }

        private Criteria bucket(JsonNode node, String path) {
            JsonNode inner = node.get("bucket");
            if (!only(node, path, Set.of("bucket"))) {
                return null;
            }
            JsonNode from = inner == null ? null : inner.get("from");
            JsonNode to = inner == null ? null : inner.get("to");
            if (from == null || to == null || !from.canConvertToInt() || !to.canConvertToInt()
                    || !from.isIntegralNumber() || !to.isIntegralNumber() || from.asInt() < 0 || to.asInt() > 999
                    || from.asInt() > to.asInt()) {
                errors.add(path + ".bucket", "must be {\"from\": n, \"to\": m} with 0 <= n <= m <= 999");
                return null;
            }
            return new Criteria.Bucket(from.asInt(), to.asInt());
        }

        /** Longer windows reach before any time a database keeps; a century covers every audience. */
        private static final Duration LONGEST = Duration.ofDays(36_500);

        private Duration period(JsonNode node, String path) {
            try {
                Duration period = Duration.parse(node.asText());
                if (!node.isTextual() || period.isNegative() || period.isZero() || period.compareTo(LONGEST) > 0) {
                    throw new DateTimeException("not positive, or too long");
                }
                return period;
            } catch (DateTimeException e) {
                errors.add(path, "must be a positive ISO-8601 duration such as P7D, at most " + LONGEST);
                return null;
            }
        }

        private static boolean scalar(JsonNode value) {
            return value != null && (value.isTextual() || value.isNumber() || value.isBoolean());
        }

        private static boolean allScalar(JsonNode array) {
            for (JsonNode item : array) {
                if (!scalar(item)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean bothOrdered(JsonNode pair) {
            JsonNode low = pair.get(0);
            JsonNode high = pair.get(1);
            return (low.isNumber() && high.isNumber()) || (low.isTextual() && high.isTextual());
        }
    }
}
