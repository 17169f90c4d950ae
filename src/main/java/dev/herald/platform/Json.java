package dev.herald.platform;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.inject.Singleton;

/**
 * Moves JSON between Java and the json and jsonb columns. Columns are written as text cast to
 * json or jsonb and read back as text, so Jackson alone decides how values look.
 */
@Singleton
public class Json {

    private final ObjectMapper mapper;

    public Json(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public String write(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Value cannot be written as JSON", e);
        }
    }

    /**
     * An object written field by field with Jackson's streaming generator, as
     * {@link #write(Object)} would write the same fields: for what is written once per webhook,
     * where databind's lookups of serializers cost as much as the writing itself.
     */
    public String writeObject(Fields fields) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator generator = mapper.getFactory().createGenerator(out)) {
            generator.writeStartObject();
            fields.write(generator);
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Value cannot be written as JSON", e);
        }
        return out.toString();
    }

    /** {@code strings} as a JSON object, in its order; null as JSON null. */
    public String writeStrings(Map<String, String> strings) {
        return strings == null ? null : writeObject(generator -> writeStringFields(generator, strings));
    }

    /** {@code strings}' entries as fields of the object being written. */
    public static void writeStringFields(JsonGenerator generator, Map<String, String> strings) throws IOException {
        for (Map.Entry<String, String> field : strings.entrySet()) {
            generator.writeStringField(field.getKey(), field.getValue());
        }
    }

    /** The fields of an object written by {@link #writeObject}. */
    @FunctionalInterface
    public interface Fields {
        void write(JsonGenerator generator) throws IOException;
    }

    public JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON cannot be read", e);
        }
    }

    public <T> T read(String json, Class<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON cannot be read as " + type.getSimpleName(), e);
        }
    }

    public <T> T convert(Object value, Class<T> type) {
        return value == null ? null : mapper.convertValue(value, type);
    }
}
