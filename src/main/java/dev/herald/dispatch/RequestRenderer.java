package dev.herald.dispatch;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.campaign.Action;
import dev.herald.campaign.Campaign;
import dev.herald.delivery.Redaction;
import dev.herald.delivery.RenderConfig;
import dev.herald.delivery.RenderedRequest;
import dev.herald.destination.ActionUrl;
import dev.herald.template.Encoding;
import dev.herald.template.Fields;
import dev.herald.template.RenderException;
import dev.herald.template.WebhookTemplates;

/** Turns an action and a user into the exact HTTP request Herald will send. */
@Singleton
public class RequestRenderer {

    /** A rendered request and the Basic credentials taken out of its URL (null when none). */
    public record Rendered(RenderedRequest request, String credentials) {

        /** The request as shown to people: credentials masked. */
        public RenderedRequest shown() {
            return Redaction.shown(request, credentials != null);
        }
    }

    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    private final WebhookTemplates templates;
    private final ObjectMapper mapper;
    private final RenderConfig limits;
    private final String userAgent;

    public RequestRenderer(WebhookTemplates templates, ObjectMapper mapper, RenderConfig limits,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.templates = templates;
        this.mapper = mapper;
        this.limits = limits;
        this.userAgent = "Herald/" + version;
    }

    public String userAgent() {
        return userAgent;
    }

    /**
     * Renders the request, within {@code herald.render.*}, and checks that it can be sent as it
     * is. A request that cannot be built fails with {@link RenderException}, saying why.
     */
    public Rendered render(Campaign campaign, Action action, RenderContext context) {
        Map<String, Object> scope = scope(campaign, context);
        String url = templates.render(action.url(), Encoding.URL, scope, limits.maxUrl().asLongValue(), "URL");
        int fragment = url.indexOf('#');
        if (fragment >= 0) {
            url = url.substring(0, fragment);
        }
        String credentials = null;
        int[] userInfo = ActionUrl.userInfoBounds(url);
        if (userInfo != null) {
            credentials = basic(url.substring(userInfo[0], userInfo[1]));
            url = url.substring(0, userInfo[0]) + url.substring(userInfo[1] + 1);
        }

        boolean bodyless = action.method().equals("GET") || action.method().equals("DELETE");
        boolean noData = action.data() == null || action.data().isNull();
        String body = null;
        if (bodyless) {
            if (!noData && action.data().size() > 0) {
                url = url + (url.indexOf('?') >= 0 ? "&" : "?")
                        + form(action.data(), scope, new Budget(limits.maxUrl().asLongValue(), "URL"));
            }
        } else if (action.body() != null) {
            body = templates.render(action.body(), encodingOf(action.contentType()), scope,
                    limits.maxBody().asLongValue(), "body");
        } else if (FORM.equals(action.contentType())) {
            body = noData ? "" : form(action.data(), scope, new Budget(limits.maxBody().asLongValue(), "body"));
        } else {
            body = noData ? "{}"
                    : write(renderTree(action.data(), scope, new Budget(limits.maxBody().asLongValue(), "body")));
        }

        Map<String, String> headers = new LinkedHashMap<>();
        if (body != null) {
            headers.put("Content-Type", action.contentType());
        }
        headers.put("User-Agent", userAgent);
        action.headers().forEach((name, value) -> headers.put(name, templates.render(value, Encoding.HEADER, scope,
                limits.maxHeader().asLongValue(), "value of header " + name)));
        RenderedRequest request = new RenderedRequest(action.method(), url, headers, body);
        problem(request).ifPresent(problem -> {
            throw new RenderException(problem);
        });
        return new Rendered(request, credentials);
    }

    /** Why a rendered request cannot be sent as it is, or empty (see {@link RenderedRequest#problem}). */
    public Optional<String> problem(RenderedRequest request) {
        return request.problem(limits);
    }

    /** What is left of a limit shared by the many values that make up one body or query string. */
    private static final class Budget {
        private long left;
        private final String what;

        Budget(long limit, String what) {
            this.left = limit;
            this.what = what;
        }

        long left() {
            return left;
        }

        String what() {
            return what;
        }

        <T> T spent(T value, int size) {
            left -= size;
            if (left < 0) {
                throw new RenderException("the rendered " + what + " is too large");
            }
            return value;
        }
    }

    private Map<String, Object> scope(Campaign campaign, RenderContext context) {
        Map<String, Object> user = new HashMap<>(context.attributes());
        user.put("id", context.userId());
        Map<String, Object> scope = new HashMap<>();
        scope.put("user", new Fields(user));
        scope.put("event", new Fields(context.event() == null ? Map.of() : context.event()));
        scope.put("trigger", new Fields(context.trigger() == null ? Map.of() : context.trigger()));
        scope.put("campaign", new Fields(Map.of("id", campaign.id().toString(), "name", campaign.name())));
        scope.put("delivery", new Fields(Map.of("id", context.deliveryId().toString())));
        scope.put("now", context.now().toString());
        return scope;
    }

    private JsonNode renderTree(JsonNode node, Map<String, Object> scope, Budget budget) {
        if (node.isTextual()) {
            JsonNode value = templates.renderJsonValue(node.asText(), scope, budget.left(), budget.what());
            return budget.spent(value, value.isTextual() ? value.asText().length() : value.toString().length());
        }
        if (node.isObject()) {
            ObjectNode out = mapper.createObjectNode();
            node.fields().forEachRemaining(e -> out.set(e.getKey(), renderTree(e.getValue(), scope, budget)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = mapper.createArrayNode();
            node.forEach(item -> out.add(renderTree(item, scope, budget)));
            return out;
        }
        return node;
    }

    /** Form-encodes the top-level data; nested objects and arrays travel as JSON text. */
    private String form(JsonNode data, Map<String, Object> scope, Budget budget) {
        StringJoiner pairs = new StringJoiner("&");
        Iterator<Map.Entry<String, JsonNode>> fields = data.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            String text;
            if (value.isTextual()) {
                text = templates.render(value.asText(), Encoding.PLAIN, scope, budget.left(), budget.what());
                budget.spent(text, text.length());
            } else if (value.isContainerNode()) {
                text = write(renderTree(value, scope, budget));
            } else {
                text = value.isNull() ? "" : value.asText();
            }
            pairs.add(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(text, StandardCharsets.UTF_8));
        }
        return pairs.toString();
    }

    private static Encoding encodingOf(String contentType) {
        return switch (contentType) {
            case JSON -> Encoding.JSON;
            case FORM -> Encoding.FORM;
            case "application/xml" -> Encoding.XML;
            default -> Encoding.PLAIN;
        };
    }

    private static String basic(String userInfo) {
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
        String password = colon < 0 ? "" : userInfo.substring(colon + 1);
        String pair = decode(user) + ":" + decode(password);
        return Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private String write(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Rendered data cannot be written as JSON", e);
        }
    }
}
