package dev.herald.audience;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.platform.Sql;

/**
 * Compiles criteria into a parameterised SQL condition over {@code users u}: values always travel
 * as parameters, never in the SQL text. Agrees with {@link Evaluator}: every test is strictly
 * true or false (never NULL), and every cast is guarded by the value's JSON type, so a missing
 * attribute or a value of another kind is false, as in Java.
 */
public final class SqlCompiler {

    /** A condition and its parameters, numbered from the first parameter asked for. */
    public record Compiled(String sql, List<Object> params) {
    }

    private final List<Object> params = new ArrayList<>();
    private final int first;
    private final Instant now;

    private SqlCompiler(int first, Instant now) {
        this.first = first;
        this.now = now;
    }

    /** Compiles a tree; no criteria compiles to {@code true}. Event parameters cannot be compiled. */
    public static Compiled compile(Criteria criteria, int firstParam, Instant now) {
        SqlCompiler compiler = new SqlCompiler(firstParam, now);
        String sql = criteria == null ? "true" : compiler.node(criteria);
        return new Compiled(sql, List.copyOf(compiler.params));
    }

    private String node(Criteria criteria) {
        if (criteria instanceof Criteria.All all) {
            return join(all.parts(), " AND ");
        }
        if (criteria instanceof Criteria.Any any) {
            return join(any.parts(), " OR ");
        }
        if (criteria instanceof Criteria.Not not) {
            return "(NOT " + node(not.part()) + ")";
        }
        if (criteria instanceof Criteria.Attribute a) {
            return test(a.op(), "(u.attributes -> " + param(a.name()) + "::text)", a.value());
        }
        if (criteria instanceof Criteria.UserId u) {
            return test(u.op(), "to_jsonb(u.id)", u.value());
        }
        if (criteria instanceof Criteria.Bucket b) {
            return "(herald_bucket(u.id) BETWEEN " + param(b.from()) + "::int AND " + param(b.to()) + "::int)";
        }
        if (criteria instanceof Criteria.CreatedWithin c) {
            return "(u.created_at >= " + param(Sql.ts(now.minus(c.period()))) + "::timestamptz)";
        }
        if (criteria instanceof Criteria.EventCount count) {
            String since = count.within() == null ? "true"
                    : "ev.time >= " + param(Sql.ts(now.minus(count.within()))) + "::timestamptz";
            String where = count.where() == null ? "true" : node(count.where());
            return "((SELECT count(*) FROM events ev WHERE ev.user_id = u.id AND ev.name = " + param(count.event())
                    + "::text AND " + since + " AND " + where + ") " + comparison(count.countOp()) + " "
                    + param(count.countValue()) + "::bigint)";
        }
        Criteria.Param p = (Criteria.Param) criteria;
        // Only inside an event count, where "ev" is the event being counted.
        return test(p.op(), "(ev.params -> " + param(p.name()) + "::text)", p.value());
    }

    private static String comparison(Operator op) {
        return switch (op) {
            case EQ -> "=";
            case NE -> "<>";
            case GT -> ">";
            case GTE -> ">=";
            case LT -> "<";
            case LTE -> "<=";
            default -> throw new IllegalArgumentException("not a count comparison: " + op);
        };
    }

    private String join(List<Criteria> parts, String operator) {
        List<String> compiled = parts.stream().map(this::node).toList();
        return "(" + String.join(operator, compiled) + ")";
    }

    private String test(Operator op, String v, JsonNode e) {
        return switch (op) {
            case EXISTS -> exists(v);
            case NOT_EXISTS -> "(NOT " + exists(v) + ")";
            case EQ -> strict(equal(v, e));
            case NE -> "(NOT " + strict(equal(v, e)) + ")";
            case IN -> strict(in(v, e));
            case NOT_IN -> "(NOT " + strict(in(v, e)) + ")";
            case GT -> strict(order(v, e, ">"));
            case GTE -> strict(order(v, e, ">="));
            case LT -> strict(order(v, e, "<"));
            case LTE -> strict(order(v, e, "<="));
            case BETWEEN -> strict("(" + order(v, e.get(0), ">=") + " AND " + order(v, e.get(1), "<=") + ")");
            case STARTS_WITH -> strict("CASE WHEN jsonb_typeof(" + v + ") = 'string' THEN starts_with(" + text(v)
                    + ", " + param(e.asText()) + "::text) ELSE false END");
            case CONTAINS -> strict(contains(v, e));
        };
    }

    private static String exists(String v) {
        return "coalesce(jsonb_typeof(" + v + ") <> 'null', false)";
    }

    private static String strict(String condition) {
        return "coalesce(" + condition + ", false)";
    }

    private static String text(String v) {
        return "(" + v + " #>> '{}')";
    }

    private String equal(String v, JsonNode e) {
        if (e.isBoolean()) {
            return "CASE WHEN jsonb_typeof(" + v + ") = 'boolean' THEN (" + v + ")::boolean = "
                    + param(e.booleanValue()) + "::boolean ELSE false END";
        }
        if (e.isNumber()) {
            return "CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN (" + v + ")::numeric = "
                    + param(Values.number(e)) + "::numeric ELSE false END";
        }
        return order(v, e, "=");
    }

    /** Numbers as numbers; strings as instants when both are instants, else by code point. */
    private String order(String v, JsonNode e, String comparison) {
        if (e.isNumber()) {
            return "CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN (" + v + ")::numeric " + comparison + " "
                    + param(Values.number(e)) + "::numeric ELSE false END";
        }
        String byCodePoint = text(v) + " COLLATE \"C\" " + comparison + " " + param(e.asText()) + "::text COLLATE \"C\"";
        Instant instant = Values.instant(e.asText());
        if (instant == null) {
            return "CASE WHEN jsonb_typeof(" + v + ") = 'string' THEN " + byCodePoint + " ELSE false END";
        }
        return "CASE WHEN jsonb_typeof(" + v + ") <> 'string' THEN false"
                + " WHEN herald_instant(" + text(v) + ") IS NOT NULL THEN herald_instant(" + text(v) + ") "
                + comparison + " " + param(Sql.ts(instant)) + "::timestamptz"
                + " ELSE " + byCodePoint + " END";
    }

    private String in(String v, JsonNode values) {
        List<String> options = new ArrayList<>();
        for (JsonNode value : values) {
            options.add(strict(equal(v, value)));
        }
        return "(" + String.join(" OR ", options) + ")";
    }

    private String contains(String v, JsonNode e) {
        String member = "CASE WHEN jsonb_typeof(" + v + ") = 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements("
                + v + ") AS item(el) WHERE " + strict(equal("item.el", e)) + ") ELSE false END";
        if (!e.isTextual()) {
            return member;
        }
        return "CASE WHEN jsonb_typeof(" + v + ") = 'string' THEN strpos(" + text(v) + ", " + param(e.asText())
                + "::text) > 0 ELSE " + member + " END";
    }

    private String param(Object value) {
        params.add(value);
        return "$" + (first + params.size() - 1);
    }
}
