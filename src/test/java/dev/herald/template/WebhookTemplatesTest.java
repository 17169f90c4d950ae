package dev.herald.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

/** The template engine alone: names, defaults, encodings, typed JSON values, syntax errors. */
class WebhookTemplatesTest {

    final WebhookTemplates templates = new WebhookTemplates(new ObjectMapper());

    final Map<String, Object> scope = Map.of(
            "user", new Fields(Map.of("id", "u 1", "name", "Ann & Bob", "age", 41, "tags", List.of("a", "b"),
                    "Odd name", "odd", "address", Map.of("city", "Köln"))),
            "event", new Fields(Map.of("params", Map.of("price", 12.5))),
            "now", "2026-12-01T09:00:00Z");

    @Test
    void missingValuesAreEmptyAndDefaultsApply() {
        assertThat(templates.render("[{user.nope}]", Encoding.PLAIN, scope)).isEqualTo("[]");
        assertThat(templates.render("[{user.nope.deeper}]", Encoding.PLAIN, scope)).isEqualTo("[]");
        assertThat(templates.render("{user.nope ?: 'friend'}", Encoding.PLAIN, scope)).isEqualTo("friend");
        assertThat(templates.render("{user.name ?: 'friend'}", Encoding.PLAIN, scope)).isEqualTo("Ann & Bob");
        assertThat(templates.render("{trigger.x}", Encoding.PLAIN, scope)).isEmpty();
    }

    @Test
    void namesThatAreNotIdentifiersUseAttr() {
        assertThat(templates.render("{user.attr('Odd name')}", Encoding.PLAIN, scope)).isEqualTo("odd");
        assertThat(templates.render("{user.address.city}", Encoding.PLAIN, scope)).isEqualTo("Köln");
    }

    @Test
    void valuesAreEncodedForWhereTheyLand() {
        assertThat(templates.render("/x/{user.name}", Encoding.URL, scope)).isEqualTo("/x/Ann%20%26%20Bob");
        assertThat(templates.render("{user.address.city}", Encoding.URL, scope)).isEqualTo("K%C3%B6ln");
        assertThat(templates.render("n={user.name}", Encoding.FORM, scope)).isEqualTo("n=Ann+%26+Bob");
        assertThat(templates.render("\"{user.name}\"", Encoding.JSON, scope)).isEqualTo("\"Ann & Bob\"");
        assertThat(templates.render("<a>{user.name}</a>", Encoding.XML, scope)).isEqualTo("<a>Ann &amp; Bob</a>");
        assertThat(templates.render("{user.name.raw}", Encoding.URL, scope)).isEqualTo("Ann & Bob");
    }

    @Test
    void aLoneExpressionKeepsItsJsonType() {
        assertThat(templates.renderJsonValue("{event.params.price}", scope).toString()).isEqualTo("12.5");
        assertThat(templates.renderJsonValue("{user.age}", scope).toString()).isEqualTo("41");
        assertThat(templates.renderJsonValue("{user.tags}", scope).toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(templates.renderJsonValue("{user.address}", scope).toString()).isEqualTo("{\"city\":\"Köln\"}");
        assertThat(templates.renderJsonValue("{user.nope}", scope).toString()).isEqualTo("\"\"");
        assertThat(templates.renderJsonValue("age {user.age}", scope).toString()).isEqualTo("\"age 41\"");
        assertThat(templates.renderJsonValue("plain", scope).toString()).isEqualTo("\"plain\"");
    }

    @Test
    void aLoneStringIsWhatTheMapperReadsBack() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<String> values = List.of("", "plain", "quote \" inside", "back\\slash", "tab\tline\nbreak",
                "nul \u0000 and \u001f", "\"", "Köln ☃ 😀 \u2028", "</script>", "{not.a.template}", "12");
        for (String value : values) {
            assertThat(templates.renderJsonValue("{user.x}", Map.of("user", new Fields(Map.of("x", value)))))
                    .isEqualTo(mapper.readTree(mapper.writeValueAsString(value)));
            // A raw value lands as it is, and keeps a JSON type only when it parses as one.
            for (String raw : List.of(value, "\"" + value + "\"", "\"" + value)) {
                assertThat(templates.renderJsonValue("{user.x.raw}", Map.of("user", new Fields(Map.of("x", raw)))))
                        .as(raw).isEqualTo(readOrText(raw, mapper));
            }
        }
    }

    private static JsonNode readOrText(String literal, ObjectMapper mapper) {
        try {
            return mapper.readTree(literal);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(literal);
        }
    }

    @Test
    void syntaxErrorsNameLineAndColumn() {
        assertThat(templates.problem("ok {user.id}")).isEmpty();
        assertThat(templates.problem("{\"json\": true}")).isEmpty();
        assertThat(templates.problem("line 1\nline 2 {user.id")).get().asString()
                .startsWith("template syntax error at line 2, column");
        assertThat(templates.problem("{#if user.x}open")).isPresent();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "{inject:bean.secret}", "{config:quarkus.datasource.password}",
            "{cdi:bean}", "{#include other /}", "{#for i in 10000000}{i}{/for}", "{#each user}{it}{/each}",
            "{#eval user.x /}", "{#let a=1}{a}{/let}", "{#with user}{id}{/with}", "{foo.bar}", "{user.getClass()}",
            "{user.name.toString()}", "{user.attr(inject:x)}", "a\n{#if user.x}{other}{/if}" })
    void onlyDocumentedSectionsAndNamesPass(String template) {
        assertThat(templates.problem(template)).isPresent().get().asString().contains("line ");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "{user.first_name ?: 'x'}", "{user.attr('Odd name')}",
            "{user.get('x')}", "{event.params.order}", "{#if user.plan == 'pro'}a{#else if user.age > 3}b{#else}c{/if}",
            "{user.x.raw}", "{now}", "{trigger.coupon}", "{campaign.name} {campaign.id}", "{delivery.id}",
            "{user.a or 'b'}", "plain text" })
    void documentedTemplatesPass(String template) {
        assertThat(templates.problem(template)).isEmpty();
    }

    @Test
    void aRefusedNameSaysWhere() {
        assertThat(templates.problem("ab\ncd {inject:x}")).get().asString()
                .startsWith("template at line 2, column").contains("namespaces");
        assertThat(templates.problem("{#for i in 3}{i}{/for}")).get().asString().contains("{#if}");
    }

    @Test
    void renderingStopsAtItsLimit() {
        String huge = "{user.name}".repeat(1000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> templates.render(huge, Encoding.PLAIN, scope, 500, "body"))
                .isInstanceOf(RenderException.class).hasMessageContaining("body").hasMessageContaining("500");
        assertThat(templates.render(huge, Encoding.PLAIN, scope, 9_000, "body")).hasSize(9_000);
    }
}
