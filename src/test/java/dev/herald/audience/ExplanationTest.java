package dev.herald.audience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.platform.Problems;

/** An explanation shows each node's test in the contract's words, the user's value, and the result. */
class ExplanationTest {

    final ObjectMapper mapper = new ObjectMapper();
    final Instant now = Instant.parse("2026-12-02T10:00:00Z");

    private Criteria parse(String json) throws Exception {
        Problems.Collector errors = new Problems.Collector();
        Criteria criteria = CriteriaParser.parse(mapper.readTree(json), "audience", CriteriaParser.Use.AUDIENCE,
                errors);
        assertThat(errors.isEmpty()).isTrue();
        return criteria;
    }

    @Test
    void eachNodeCarriesItsTestTheUsersValueAndItsResult() throws Exception {
        Criteria tree = parse("{\"all\": [{\"attribute\": \"plan\", \"op\": \"in\", \"value\": [\"pro\", \"team\"]},"
                + " {\"not\": {\"attribute\": \"trial\", \"op\": \"exists\"}},"
                + " {\"event\": \"buy\", \"count\": {\"op\": \"gte\", \"value\": 2}, \"within\": \"P30D\"}]}");
        ObjectNode attributes = mapper.createObjectNode().put("plan", "pro");
        List<EventFact> events = List.of(new EventFact("buy", now.minus(Duration.ofDays(1)), mapper.createObjectNode()),
                new EventFact("buy", now.minus(Duration.ofDays(40)), mapper.createObjectNode()));
        Evaluator.Subject subject = new Evaluator.Subject("u1", attributes, now.minus(Duration.ofDays(90)), null, now,
                events);

        Explanation explained = Evaluator.explain(tree, subject);

        assertThat(explained.matched()).isFalse().isEqualTo(Evaluator.matches(tree, subject));
        assertThat(explained.parts()).extracting(Explanation::test).containsExactly(
                "plan in [\"pro\",\"team\"]", "not", "buy count gte 2 within P30D");
        assertThat(explained.parts()).extracting(Explanation::matched).containsExactly(true, true, false);
        // Only the event inside the 30 days counts.
        assertThat(explained.parts().get(2).actual().asLong()).isEqualTo(1);
        assertThat(explained.parts().get(1).parts().get(0).actual()).isNull();
        JsonNode plan = explained.parts().get(0).actual();
        assertThat(plan.asText()).isEqualTo("pro");
    }
}
