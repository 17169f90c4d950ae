package dev.herald.platform;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.JsonNodeDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Reads JSON as strictly as the contract is written: no text after the document, no number
 * where a string belongs (nor the reverse), and no NUL character in any string or key, which
 * Postgres cannot store. Each refusal names the field.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /**
     * A value that cannot be stored as it was sent: a string or key with the NUL character, or a
     * number past a double's range. {@link #inside} is its place within a JSON tree.
     */
    public static final class Unstorable extends JsonMappingException {
        static final String NUL = "must not contain the NUL character (\\u0000)";
        static final String HUGE = "must be a number within ±1.7e308";
        private final String inside;

        Unstorable(JsonParser parser, String inside, String problem) {
            super(parser, problem);
            this.inside = inside;
        }

        public String inside() {
            return inside;
        }
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        for (CoercionInputShape shape : new CoercionInputShape[] { CoercionInputShape.Integer,
                CoercionInputShape.Float, CoercionInputShape.Boolean }) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        for (LogicalType type : new LogicalType[] { LogicalType.Integer, LogicalType.Float, LogicalType.Boolean }) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);

        SimpleModule module = new SimpleModule("herald-strict-json");
        module.addDeserializer(String.class, new NulFreeString());
        module.addKeyDeserializer(String.class, new NulFreeKey());
        module.addDeserializer(JsonNode.class, new NulFreeTree<>(JsonNode.class));
        module.addDeserializer(ObjectNode.class, new NulFreeTree<>(ObjectNode.class));
        module.addDeserializer(ArrayNode.class, new NulFreeTree<>(ArrayNode.class));
        mapper.registerModule(module);
    }

    private static final class NulFreeString extends StdDeserializer<String> {
        NulFreeString() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext context) throws IOException {
            String value = StringDeserializer.instance.deserialize(p, context);
            if (value != null && value.indexOf('\0') >= 0) {
                throw new Unstorable(p, "", Unstorable.NUL);
            }
            return value;
        }
    }

    private static final class NulFreeKey extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext context) throws IOException {
            if (key.indexOf('\0') >= 0) {
                throw new Unstorable(context.getParser(), "", Unstorable.NUL);
            }
            return key;
        }
    }

    private static final class NulFreeTree<T extends JsonNode> extends StdDeserializer<T> {
        private final JsonDeserializer<? extends JsonNode> tree;

        NulFreeTree(Class<T> type) {
            super(type);
            this.tree = JsonNodeDeserializer.getDeserializer(type);
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser p, DeserializationContext context) throws IOException {
            T node = (T) tree.deserialize(p, context);
            String[] found = unstorable(node, "");
            if (found != null) {
                throw new Unstorable(p, found[0], found[1]);
            }
            return node;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T getNullValue(DeserializationContext context) {
            try {
                return (T) tree.getNullValue(context);
            } catch (JsonMappingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The path of the first value that cannot be stored, and why; null when there is none. */
        private static String[] unstorable(JsonNode node, String path) {
            if (node.isDouble() && !Double.isFinite(node.doubleValue())) {
                return new String[] { path, Unstorable.HUGE };
            }
            if (node.isTextual()) {
                return node.textValue().indexOf('\0') >= 0 ? new String[] { path, Unstorable.NUL } : null;
            }
            if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    String here = path + "." + field.getKey().replace("\0", "\\u0000");
                    if (field.getKey().indexOf('\0') >= 0) {
                        return new String[] { here, Unstorable.NUL };
                    }
                    String[] found = unstorable(field.getValue(), here);
                    if (found != null) {
                        return found;
                    }
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    String[] found = unstorable(node.get(i), path + "[" + i + "]");
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        }
    }
}
