package dev.herald.audience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.platform.Problems;
import dev.herald.platform.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The property that matters most for audiences: for random users and random criteria trees, the
 * SQL compiler (runs, counts) and the in-memory evaluator (triggers, conditions, previews) pick
 * exactly the same users. Fixed seed, so a failure repeats.
 */
@QuarkusTest
class AudienceAgreementTest {

    static final long SEED = 20261201L;
    static final int USERS = 300;
    static final int TREES = 2000;
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final List<String> NAMES = List.of("plan", "score", "tags", "when", "flag", "note");
    static final List<String> EVENTS = List.of("buy", "view");
    static final List<Object> SCALARS = List.of(0, 1, -3, 2, 10, 0.1, 1.0, 2.5, -0.5, 1000, "", "a", "ab", "b", "B",
            "é", "😀", "\uFFFD", "pro", "pro team", "10", "9", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00+01:00",
            "2026-12-01T09:00:00.5Z", "2026-12-01T09:00Z", "2026-12-01T09:00:00.1234567Z", "2026-13-01T09:00:00Z",
            "2026-02-30T00:00:00Z", "2026-12-01T24:00:00Z", "0000-01-01T00:00:00Z", "2026-12-01", true, false);

    final Random random = new Random(SEED);
    final ObjectMapper mapper = new ObjectMapper();

    @Inject
    Pool pool;

    @Test
    void sqlAndMemoryPickTheSameUsers() throws Exception {
        String prefix = "agree-" + UUID.randomUUID() + "-";
        Instant now = Sql.millis(Instant.now());
        Map<String, ObjectNode> attributes = new HashMap<>();
        Map<String, Instant> created = new HashMap<>();
        for (int i = 0; i < USERS; i++) {
            String id = prefix + i;
            ObjectNode attrs = JSON.objectNode();
            for (String name : NAMES) {
                int kind = random.nextInt(10);
                if (kind == 0) {
                    continue;
                }
                attrs.set(name, kind == 1 ? JSON.nullNode() : kind == 2 ? array() : kind == 3 ? object() : scalar());
            }
            Instant createdAt = now.minus(Duration.ofHours(random.nextInt(24 * 20)));
            attributes.put(id, attrs);
            created.put(id, createdAt);
            pool.preparedQuery("INSERT INTO users (id, attributes, created_at, updated_at)"
                    + " VALUES ($1, $2::text::jsonb, $3, $3)")
                    .execute(Tuple.of(id, mapper.writeValueAsString(attrs), Sql.ts(createdAt)))
                    .await().indefinitely();
            for (int e = 0, n = random.nextInt(6); e < n; e++) {
                ObjectNode params = JSON.objectNode();
                if (random.nextBoolean()) {
                    params.set("amount", toNode(List.of(1, 5, 10, 2.5, "10").get(random.nextInt(5))));
                }
                if (random.nextBoolean()) {
                    params.set("plan", toNode(List.of("pro", "free", "").get(random.nextInt(3))));
                }
                pool.preparedQuery("INSERT INTO events (id, user_id, name, params, time, received_at)"
                        + " VALUES ($1, $2, $3, $4::text::jsonb, $5, $5)")
                        .execute(Tuple.of(UUID.randomUUID(), id, EVENTS.get(random.nextInt(EVENTS.size())),
                                mapper.writeValueAsString(params),
                                Sql.ts(now.minus(Duration.ofHours(random.nextInt(24 * 40)))))).await().indefinitely();
            }
        }
        Map<String, List<EventFact>> history = new HashMap<>();
        for (Row row : pool.preparedQuery("SELECT user_id, name, time, params::text AS params FROM events"
                + " WHERE user_id LIKE $1").execute(Tuple.of(prefix + "%")).await().indefinitely()) {
            history.computeIfAbsent(row.getString("user_id"), k -> new ArrayList<>()).add(new EventFact(
                    row.getString("name"), Sql.instant(row, "time"), mapper.readTree(row.getString("params"))));
        }
        // Read back what Postgres kept, so both sides see the same values.
        Map<String, JsonNode> stored = new HashMap<>();
        for (Row row : pool.preparedQuery("SELECT id, attributes::text AS a FROM users WHERE id LIKE $1")
                .execute(Tuple.of(prefix + "%")).await().indefinitely()) {
            stored.put(row.getString("id"), mapper.readTree(row.getString("a")));
        }

        int compared = 0;
        for (int t = 0; t < TREES; t++) {
            JsonNode tree = tree(1 + random.nextInt(4));
            Problems.Collector errors = new Problems.Collector();
            Criteria criteria = CriteriaParser.parse(tree, "audience", CriteriaParser.Use.AUDIENCE, errors);
            assertThat(errors.isEmpty()).as("generated tree is valid: %s", tree).isTrue();

            Set<String> inMemory = new TreeSet<>();
            for (String id : stored.keySet()) {
                if (Evaluator.matches(criteria, new Evaluator.Subject(id, stored.get(id), created.get(id), null, now,
                        history.getOrDefault(id, List.of())))) {
                    inMemory.add(id);
                }
            }
            SqlCompiler.Compiled compiled = SqlCompiler.compile(criteria, 2, now);
            List<Object> params = new ArrayList<>();
            params.add(prefix + "%");
            params.addAll(compiled.params());
            Set<String> inSql = new TreeSet<>();
            for (Row row : pool.preparedQuery("SELECT u.id FROM users u WHERE u.id LIKE $1 AND " + compiled.sql())
                    .execute(Tuple.from(params)).await().indefinitely()) {
                inSql.add(row.getString("id"));
            }
            if (!inSql.equals(inMemory)) {
                Set<String> onlySql = new TreeSet<>(inSql);
                onlySql.removeAll(inMemory);
                Set<String> onlyMemory = new TreeSet<>(inMemory);
                onlyMemory.removeAll(inSql);
                String example = !onlySql.isEmpty() ? onlySql.iterator().next() : onlyMemory.iterator().next();
                throw new AssertionError("tree " + t + " " + tree + "\nSQL only: " + onlySql.size() + ", memory only: "
                        + onlyMemory.size() + "\nfor example " + example + " with " + stored.get(example)
                        + "\nSQL: " + compiled.sql() + "\nparams: " + compiled.params());
            }
            compared += inSql.size();
        }
        assertThat(compared).as("trees matched users, not only nobody").isGreaterThan(TREES * 10);
    }

    private JsonNode tree(int depth) {
        int kind = random.nextInt(depth <= 1 ? 10 : 14);
        if (kind >= 10) {
            if (kind == 13) {
                return JSON.objectNode().set("not", tree(depth - 1));
            }
            ArrayNode parts = JSON.arrayNode();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                parts.add(tree(depth - 1));
            }
            return JSON.objectNode().set(kind == 10 || kind == 11 ? "all" : "any", parts);
        }
        if (kind == 0) {
            int from = random.nextInt(1000);
            ObjectNode bucket = JSON.objectNode().put("from", from).put("to", from + random.nextInt(1000 - from));
            return JSON.objectNode().set("bucket", bucket);
        }
        if (kind == 1) {
            return random.nextBoolean() ? JSON.objectNode().put("createdWithin", "P" + (1 + random.nextInt(20)) + "D")
                    : eventCount();
        }
        ObjectNode test = test();
        if (kind == 2) {
            return JSON.objectNode().set("userId", test);
        }
        return test.put("attribute", NAMES.get(random.nextInt(NAMES.size())));
    }

    private JsonNode eventCount() {
        ObjectNode node = JSON.objectNode().put("event", EVENTS.get(random.nextInt(EVENTS.size())));
        if (random.nextBoolean()) {
            String[] ops = { "eq", "ne", "gt", "gte", "lt", "lte" };
            node.set("count", JSON.objectNode().put("op", ops[random.nextInt(ops.length)]).put("value",
                    random.nextInt(4)));
        }
        if (random.nextBoolean()) {
            node.put("within", "P" + (1 + random.nextInt(40)) + "D");
        }
        if (random.nextBoolean()) {
            ObjectNode where = test().put("param", random.nextBoolean() ? "amount" : "plan");
            node.set("where", random.nextInt(4) == 0 ? JSON.objectNode().set("not", where) : where);
        }
        return node;
    }

    private ObjectNode test() {
        String[] ops = { "eq", "ne", "gt", "gte", "lt", "lte", "in", "notIn", "contains", "startsWith", "exists",
                "notExists", "between" };
        String op = ops[random.nextInt(ops.length)];
        ObjectNode test = JSON.objectNode().put("op", op);
        switch (op) {
            case "eq", "ne", "contains" -> test.set("value", scalar());
            case "gt", "gte", "lt", "lte" -> test.set("value", ordered(random.nextBoolean()));
            case "startsWith" -> test.set("value", ordered(false));
            case "in", "notIn" -> {
                ArrayNode values = JSON.arrayNode();
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    values.add(scalar());
                }
                test.set("value", values);
            }
            case "between" -> {
                boolean numbers = random.nextBoolean();
                test.set("value", JSON.arrayNode().add(ordered(numbers)).add(ordered(numbers)));
            }
            default -> {
            }
        }
        return test;
    }

    private JsonNode ordered(boolean number) {
        while (true) {
            JsonNode value = scalar();
            if (number ? value.isNumber() : value.isTextual()) {
                return value;
            }
        }
    }

    private JsonNode scalar() {
        return toNode(SCALARS.get(random.nextInt(SCALARS.size())));
    }

    private JsonNode array() {
        ArrayNode array = JSON.arrayNode();
        for (int i = 0, n = random.nextInt(4); i < n; i++) {
            array.add(scalar());
        }
        return array;
    }

    private JsonNode object() {
        return JSON.objectNode().set("x", scalar());
    }

    private static JsonNode toNode(Object value) {
        if (value instanceof Integer i) {
            return JSON.numberNode(i);
        }
        if (value instanceof Double d) {
            return JSON.numberNode(d);
        }
        if (value instanceof Boolean b) {
            return JSON.booleanNode(b);
        }
        return JSON.textNode((String) value);
    }
}
