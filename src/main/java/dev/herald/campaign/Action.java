package dev.herald.campaign;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.Criteria;
import dev.herald.audience.CriteriaParser;
import dev.herald.destination.ActionUrl;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One step of a campaign: a webhook, with its templates (contract section 2.4). The fields are
 * as written, which reads show; {@link #parsed} is what the engine uses of them.
 */
@RegisterForReflection
public record Action(
        UUID id,
        String type,
        String name,
        String delay,
        JsonNode condition,
        String method,
        String url,
        String contentType,
        JsonNode data,
        String body,
        Map<String, String> headers,
        String signingSecret,
        String timeout,
        Integer maxAttempts,
        @JsonIgnore Parsed parsed) {

    /** The action's delay, condition, timeout and URL, parsed once. */
    public record Parsed(Duration delay, Criteria condition, Duration timeout, ActionUrl url) {
    }

    /** An action as stored or as checked: its values are valid, and parsed here. */
    public Action {
        if (parsed == null) {
            parsed = new Parsed(Duration.parse(delay),
                    CriteriaParser.parseStored(condition, CriteriaParser.Use.CONDITION), Duration.parse(timeout),
                    ActionUrl.parse(url));
        }
    }

    public static final String SECRET_PREFIX = "whsec_";
    /** How long an action waits for a response unless it says otherwise. */
    public static final String DEFAULT_TIMEOUT = "PT15S";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The action as reads show it: the signing secret reduced to its last four characters, and
     * the password of a {@code user:password@} URL masked.
     */
    public Action masked() {
        return new Action(id, type, name, delay, condition, method, ActionUrl.maskPassword(url), contentType, data,
                body, headers, maskSecret(signingSecret), timeout, maxAttempts, parsed);
    }

    /** The action as its creator may see it once: the URL's password masked, the signing secret in full. */
    public Action secretShown() {
        return masked().withSecret(signingSecret);
    }

    public Action withSecret(String secret) {
        return new Action(id, type, name, delay, condition, method, url, contentType, data, body, headers, secret,
                timeout, maxAttempts, parsed);
    }

    /** A new secret: whsec_ and the base64 of 32 random bytes. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    public static String maskSecret(String secret) {
        if (secret == null) {
            return null;
        }
        return SECRET_PREFIX + "…" + secret.substring(Math.max(SECRET_PREFIX.length(), secret.length() - 4));
    }
}
