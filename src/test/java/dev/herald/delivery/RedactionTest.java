package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What Herald shows of a request: credentials masked wherever they may sit. */
class RedactionTest {

    @Test
    void secretHeadersKeepOnlyTheirScheme() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer abc.def");
        headers.put("X-Api-Key", "k-123");
        headers.put("x-auth-token", "t");
        headers.put("Cookie", "session=1");
        headers.put("X-Request-Source", "crm");
        assertThat(Redaction.headers(headers)).containsExactly(
                Map.entry("Authorization", "Bearer ****"),
                Map.entry("X-Api-Key", "****"),
                Map.entry("x-auth-token", "****"),
                Map.entry("Cookie", "****"),
                Map.entry("X-Request-Source", "crm"));
    }

    @Test
    void basicAuthFromTheUrlIsShownAsMasked() {
        RenderedRequest request = new RenderedRequest("POST", "https://hooks.example.com/a",
                Map.of("Content-Type", "application/json"), "{}");
        RenderedRequest shown = Redaction.shown(request, true);
        assertThat(shown.headers()).containsEntry("Authorization", "Basic ****")
                .containsEntry("Content-Type", "application/json");
        assertThat(Redaction.shown(request, false).headers()).doesNotContainKey("Authorization");
    }

    @Test
    void aUrlKeepsItsUserButNotItsPassword() {
        assertThat(Redaction.url("https://crm-user:s3cret@crm.example.com/x?y=1"))
                .isEqualTo("https://crm-user:****@crm.example.com/x?y=1");
        assertThat(Redaction.url("https://crm.example.com/x")).isEqualTo("https://crm.example.com/x");
    }
}
