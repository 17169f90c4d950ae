package dev.herald.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import io.quarkus.qute.Engine;
import io.quarkus.qute.EvalContext;
import io.quarkus.qute.Expression;
import io.quarkus.qute.IfSectionHelper;
import io.quarkus.qute.RawString;
import io.quarkus.qute.ResultMapper;
import io.quarkus.qute.Results;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import io.quarkus.qute.TemplateNode;
import io.quarkus.qute.ValueResolver;
import io.quarkus.qute.ValueResolvers;
import io.quarkus.qute.Variant;

/**
 * Parses, checks and renders the Qute templates of webhook actions: URLs, data values, raw bodies
 * and header values. Values are encoded for the place they land; a missing value is empty.
 */
@Singleton
public class WebhookTemplates {

    /** Parsed templates, by encoding and source. Bounded: cleared when it grows past this size. */
    private static final int CACHE_SIZE = 10_000;
    private static final String JSON_VALUE_TYPE = "text/x-herald-json-value";

    private final ObjectMapper mapper;
    private final Engine engine;
    private final Map<String, Template> cache = new ConcurrentHashMap<>();

    public WebhookTemplates(ObjectMapper mapper) {
        this.mapper = mapper;
        // Only {#if} (with {#else}): no loops, includes, {#let} or {#eval}, whose cost or reach a
        // template's author could stretch past what one webhook should take.
        this.engine = Engine.builder()
                .addSectionHelper(new IfSectionHelper.Factory())
                .addValueResolver(new FieldsResolver())
                .addValueResolvers(ValueResolvers.rawResolver(), ValueResolvers.orResolver(),
                        ValueResolvers.listResolver(), ValueResolvers.thisResolver(),
                        ValueResolvers.trueResolver(), ValueResolvers.logicalAndResolver(),
                        ValueResolvers.logicalOrResolver(), ValueResolvers.equalsResolver())
                .addResultMapper(new ValueMapper())
                .strictRendering(false)
                .build();
    }

    /**
     * What is wrong with a template, with line and column, or empty: a syntax error, a section
     * other than {@code #if}, a namespace, or a name other than the documented roots, methods and
     * properties ({@code user}, {@code event}, {@code trigger}, {@code campaign}, {@code delivery},
     * {@code now}; {@code attr}, {@code get}, {@code raw}, {@code ?:}, {@code or}).
     */
    public Optional<String> problem(String source) {
        Template template;
        try {
            template = template(source, Encoding.PLAIN.variantType());
        } catch (TemplateException e) {
            return Optional.of(describe(e));
        }
        for (Expression expression : template.getExpressions()) {
            Optional<String> refused = refusal(expression, true);
            if (refused.isPresent()) {
                return Optional.of(at(expression.getOrigin()) + refused.get());
            }
        }
        return Optional.empty();
    }

    /** Roots a template may start from: the scope {@link dev.herald.template.Fields} hold. */
    private static final Set<String> ROOTS = Set.of("user", "event", "trigger", "campaign", "delivery", "now");
    /** Methods and operators the engine's resolvers give meaning to. */
    private static final Set<String> METHODS = Set.of("attr", "get", "or", "?:", ":", "?", "ifTruthy", "&&", "||",
            "==", "eq", "is", "!=", "ne");

    private static Optional<String> refusal(Expression expression, boolean root) {
        if (expression.hasNamespace()) {
            return Optional.of("namespaces such as {" + expression.getNamespace() + ":...} are not allowed");
        }
        if (expression.isLiteral()) {
            return Optional.empty();
        }
        List<Expression.Part> parts = expression.getParts();
        if (root && !parts.isEmpty() && !ROOTS.contains(parts.get(0).getName())) {
            return Optional.of("'" + parts.get(0).getName() + "' is not a name templates know; start from "
                    + String.join(", ", new TreeSet<>(ROOTS)));
        }
        for (Expression.Part part : parts) {
            if (part.isVirtualMethod()) {
                if (!METHODS.contains(part.getName())) {
                    return Optional.of("'" + part.getName() + "(...)' is not a method templates know; use attr('name'), "
                            + "get('name') or ?: 'default'");
                }
                for (Expression parameter : part.asVirtualMethod().getParameters()) {
                    Optional<String> refused = refusal(parameter, true);
                    if (refused.isPresent()) {
                        return refused;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String at(TemplateNode.Origin origin) {
        return origin == null ? "template: "
                : "template at line " + origin.getLine() + ", column " + Math.max(1, origin.getLineCharacterStart()) + ": ";
    }

    public String render(String source, Encoding encoding, Map<String, Object> scope) {
        return render(source, encoding, scope, Long.MAX_VALUE, "value");
    }

    /**
     * Renders, giving up with {@link RenderException} as soon as the output passes
     * {@code maxChars}: a template that inserts a large value many times never builds more than that.
     */
    public String render(String source, Encoding encoding, Map<String, Object> scope, long maxChars, String what) {
        if (source.indexOf('{') < 0) {
            if (source.length() > maxChars) {
                throw new RenderException("the rendered " + what + " is longer than " + maxChars + " characters");
            }
            return source;
        }
        return render(source, encoding.variantType(), scope, maxChars, what);
    }

    private String render(String source, String variantType, Map<String, Object> scope, long maxChars, String what) {
        StringBuilder out = new StringBuilder();
        try {
            template(source, variantType).instance().data(new Fields(scope)).consume(chunk -> {
                if (out.length() + chunk.length() > maxChars) {
                    throw new RenderException("the rendered " + what + " is longer than " + maxChars + " characters");
                }
                out.append(chunk);
            }).toCompletableFuture().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        return out.toString();
    }

    /**
     * Renders a JSON {@code data} value. A value that is one expression alone keeps its JSON
     * type ({@code "{event.params.price}"} gives {@code 12.5}); anything else is a string.
     */
    public JsonNode renderJsonValue(String source, Map<String, Object> scope) {
        return renderJsonValue(source, scope, Long.MAX_VALUE, "value");
    }

    /** {@link #renderJsonValue(String, Map)}, giving up past {@code maxChars} as {@link #render} does. */
    public JsonNode renderJsonValue(String source, Map<String, Object> scope, long maxChars, String what) {
        if (!isLoneExpression(source)) {
            return TextNode.valueOf(render(source, Encoding.PLAIN, scope, maxChars, what));
        }
        String literal = render(source.trim(), JSON_VALUE_TYPE, scope, maxChars, what);
        if (isPlainJsonString(literal)) {
            return TextNode.valueOf(literal.substring(1, literal.length() - 1));
        }
        try {
            return mapper.readTree(literal);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(literal);
        }
    }

    /**
     * Whether {@code literal} is a JSON string with nothing escaped in it: then its value is the
     * characters between its quotes, and the commonest value (a string attribute) needs no parser.
     */
    private static boolean isPlainJsonString(String literal) {
        int last = literal.length() - 1;
        if (last < 1 || literal.charAt(0) != '"' || literal.charAt(last) != '"') {
            return false;
        }
        for (int i = 1; i < last; i++) {
            char c = literal.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                return false;
            }
        }
        return true;
    }

    boolean isLoneExpression(String source) {
        String trimmed = source.trim();
        if (!trimmed.startsWith("{") || !trimmed.endsWith("}") || trimmed.length() < 3) {
            return false;
        }
        char first = trimmed.charAt(1);
        if (first == '#' || first == '/' || first == '!' || first == '|' || Character.isWhitespace(first)) {
            return false;
        }
        List<TemplateNode> nodes = template(trimmed, Encoding.PLAIN.variantType()).getNodes();
        return nodes.size() == 1 && nodes.get(0).isExpression();
    }

    private Template template(String source, String variantType) {
        String key = variantType + '\u0000' + source;
        Template template = cache.get(key);
        if (template == null) {
            template = engine.parse(source, Variant.forContentType(variantType));
            if (cache.size() >= CACHE_SIZE) {
                cache.clear();
            }
            cache.put(key, template);
        }
        return template;
    }

    private static String describe(TemplateException e) {
        String message = e.getMessage() == null ? "invalid template" : e.getMessage();
        // Qute prefixes its messages with the generated template id, which means nothing to users.
        int close = message.indexOf("]: ");
        if (message.startsWith("Parser error") && close > 0) {
            message = message.substring(close + 3);
        }
        message = message.replaceAll("\\s*in template \\[[^\\]]*\\]", "").trim();
        if (message.contains("no section helper found for")) {
            message = message.replaceFirst("^.*no section helper found for", "this section is not allowed:")
                    + "; templates may use {#if} with {#else} only";
        }
        if (e.getOrigin() != null) {
            return "template syntax error at line " + e.getOrigin().getLine() + ", column "
                    + Math.max(1, e.getOrigin().getLineCharacterStart()) + ": " + message;
        }
        return "template syntax error: " + message;
    }

    /** Reads a value of {@link Fields} by name, or with {@code attr('name')} / {@code get('name')}. */
    private static final class FieldsResolver implements ValueResolver {

        @Override
        public int getPriority() {
            return DEFAULT_PRIORITY + 10;
        }

        @Override
        public boolean appliesTo(EvalContext context) {
            return context.getBase() instanceof Fields;
        }

        @Override
        public CompletionStage<Object> resolve(EvalContext context) {
            Map<String, Object> values = ((Fields) context.getBase()).values();
            String name = context.getName();
            List<Expression> params = context.getParams();
            if (params.size() == 1 && (name.equals("attr") || name.equals("get"))) {
                return context.evaluate(params.get(0))
                        .thenApply(key -> lookup(values, key == null ? null : key.toString(), context));
            }
            if (!params.isEmpty()) {
                return Results.notFound(context);
            }
            return CompletableFuture.completedFuture(lookup(values, name, context));
        }

        private static Object lookup(Map<String, Object> values, String key, EvalContext context) {
            Object value = key == null ? null : values.get(key);
            if (value == null) {
                return Results.NotFound.from(context);
            }
            return wrap(value);
        }

        @SuppressWarnings("unchecked")
        private static Object wrap(Object value) {
            if (value instanceof Map<?, ?> map) {
                return new Fields((Map<String, Object>) map);
            }
            if (value instanceof List<?> list) {
                List<Object> wrapped = new ArrayList<>(list.size());
                for (Object item : list) {
                    wrapped.add(item == null ? null : wrap(item));
                }
                return wrapped;
            }
            return value;
        }
    }

    /** Writes each value as its encoding wants it; missing values are empty. */
    private final class ValueMapper implements ResultMapper {

        @Override
        public int getPriority() {
            return DEFAULT_PRIORITY + 10;
        }

        @Override
        public boolean appliesTo(TemplateNode.Origin origin, Object result) {
            return !(result instanceof RawString);
        }

        @Override
        public String map(Object result, Expression expression) {
            Optional<Variant> variant = expression.getOrigin().getVariant();
            String type = variant.map(Variant::getContentType).orElse(null);
            boolean missing = result == null || Results.isNotFound(result);
            if (JSON_VALUE_TYPE.equals(type)) {
                return missing ? "\"\"" : jsonLiteral(result);
            }
            if (missing) {
                return "";
            }
            String text = result instanceof String s ? s : text(result);
            Encoding encoding = Encoding.ofVariantType(type);
            return encoding == null ? text : encoding.encode(text);
        }

        private String text(Object value) {
            if (value instanceof Fields || value instanceof Map || value instanceof List) {
                return jsonLiteral(value);
            }
            return value.toString();
        }

        private String jsonLiteral(Object value) {
            if (value instanceof String text) {
                // As the mapper writes a string, without its lookup of a serializer.
                StringBuilder literal = new StringBuilder(text.length() + 2).append('"');
                JsonStringEncoder.getInstance().quoteAsString(text, literal);
                return literal.append('"').toString();
            }
            try {
                return mapper.writeValueAsString(plain(value));
            } catch (JsonProcessingException e) {
                return "\"\"";
            }
        }

        private Object plain(Object value) {
            if (value instanceof Fields fields) {
                Map<String, Object> out = new LinkedHashMap<>();
                fields.values().forEach((k, v) -> out.put(k, plain(v)));
                return out;
            }
            if (value instanceof List<?> list) {
                return list.stream().map(v -> v == null ? null : plain(v)).toList();
            }
            if (value instanceof Results.NotFound) {
                return null;
            }
            return value;
        }
    }
}
