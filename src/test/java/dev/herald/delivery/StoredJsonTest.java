package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.platform.Json;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Rendered requests and response headers, written field by field for the database, are the JSON
 * that Herald's object mapper writes of them, and read back as they were.
 */
@QuarkusTest
class StoredJsonTest {

    @Inject
    Json json;

    @Inject
    ObjectMapper mapper;

    @Test
    void requestsAreWrittenAsTheMapperWritesThem() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Quote", "say \"hi\" \\ there");
        headers.put("webhook-id", "8f0c1a9e-2b7d-4a51-9a3e-1f2d3c4b5a69");
        headers.put("A-Last", "zürich ☃ 😀");
        List<RenderedRequest> requests = List.of(
                new RenderedRequest("POST", "http://127.0.0.1:1/hook/u1?a=1&b=%22", headers,
                        "{\"user\":\"u1\",\"text\":\"line\\nbreak\\u0000 tab\\t </script>\"}"),
                new RenderedRequest("GET", "https://example.test/", Map.of(), null),
                new RenderedRequest("PUT", "https://example.test/x", Map.of("Empty", ""), "a=1&b=\u0001\u007f\u2028"));

        for (RenderedRequest request : requests) {
            String written = request.toJson(json);

            assertThat(written).isEqualTo(mapper.writeValueAsString(request));
            assertThat(json.read(written, RenderedRequest.class)).isEqualTo(request);
        }
    }

    @Test
    void headersAreWrittenAsTheMapperWritesThem() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("server", "nginx");
        headers.put("x-null", null);
        headers.put("x-odd", "\"\\\u0000\u001f/é");

        assertThat(json.writeStrings(headers)).isEqualTo(mapper.writeValueAsString(headers));
        assertThat(json.writeStrings(Map.of())).isEqualTo("{}");
        assertThat(json.writeStrings(null)).isNull();
    }
}
