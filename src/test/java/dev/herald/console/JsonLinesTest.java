package dev.herald.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The editor points at the line of the field an error names, or of its nearest parent. */
class JsonLinesTest {

    static final String DOCUMENT = """
            {
              "name": "x",
              "limits": {
                "perUser": {"max": 0}
              },
              "actions": [
                {"url": "https://example.com"},
                {
                  "url": "ftp://nope",
                  "headers": {"X-A": "1"}
                }
              ]
            }
            """;

    @Test
    void fieldsAreFoundByTheirApiPath() {
        JsonLines lines = JsonLines.of(DOCUMENT);
        assertThat(lines.lineOf("name")).isEqualTo(2);
        assertThat(lines.lineOf("limits.perUser.max")).isEqualTo(4);
        assertThat(lines.lineOf("actions[0].url")).isEqualTo(7);
        assertThat(lines.lineOf("actions[1]")).isEqualTo(8);
        assertThat(lines.lineOf("actions[1].url")).isEqualTo(9);
        assertThat(lines.lineOf("actions[1].headers.X-A")).isEqualTo(10);
        // Absent fields point at their parent: a missing timeout is about the action.
        assertThat(lines.lineOf("actions[1].timeout")).isEqualTo(8);
        assertThat(lines.lineOf("audience")).isNull();
    }

    @Test
    void aBrokenDocumentStillPointsAtWhatParsed() {
        JsonLines lines = JsonLines.of("{\n \"name\": \"x\",\n \"actions\": [ {\"url\": 1} \n");
        assertThat(lines.lineOf("actions[0].url")).isEqualTo(3);
        assertThat(JsonLines.of("not json").lineOf("name")).isNull();
    }
}
