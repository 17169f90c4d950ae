package dev.herald.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

/**
 * Console sessions as signed cookies: {@code expiry.nonce.signature}, HMAC-SHA256 under
 * {@code herald.console.session-secret}. The admin key is checked once, at sign-in, and is in
 * no cookie, page or URL. Each session has its own anti-forgery token, derived from its nonce.
 */
@Singleton
public class ConsoleSessions {

    private static final Logger LOG = Logger.getLogger(ConsoleSessions.class);
    static final String COOKIE = "herald_session";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] secret;
    private final ConsoleConfig config;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ConsoleSessions(ConsoleConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        if (config.sessionSecret().isPresent()) {
            String configured = config.sessionSecret().get();
            if (configured.length() < 32) {
                throw new IllegalStateException("herald.console.session-secret must be at least 32 characters long");
            }
            this.secret = configured.getBytes(StandardCharsets.UTF_8);
        } else {
            this.secret = new byte[32];
            random.nextBytes(secret);
            LOG.info("herald.console.session-secret is not set: console sessions last until this instance stops");
        }
    }

    /** A signed-in session. */
    public record Session(String nonce, Instant expires, String csrf) {
    }

    /** A new session's cookie value. */
    String issue() {
        byte[] nonce = new byte[18];
        random.nextBytes(nonce);
        String body = clock.instant().plus(config.sessionTtl()).getEpochSecond() + "." + B64.encodeToString(nonce);
        return body + "." + sign("session:" + body);
    }

    /** The session a cookie holds; null when it is absent, forged or expired. */
    Session verify(String cookie) {
        if (cookie == null) {
            return null;
        }
        int last = cookie.lastIndexOf('.');
        int first = cookie.indexOf('.');
        if (first <= 0 || last <= first) {
            return null;
        }
        String body = cookie.substring(0, last);
        byte[] given = cookie.substring(last + 1).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(given, sign("session:" + body).getBytes(StandardCharsets.US_ASCII))) {
            return null;
        }
        Instant expires;
        try {
            expires = Instant.ofEpochSecond(Long.parseLong(body.substring(0, first)));
        } catch (NumberFormatException e) {
            return null;
        }
        if (!expires.isAfter(clock.instant())) {
            return null;
        }
        String nonce = body.substring(first + 1);
        return new Session(nonce, expires, sign("csrf:" + nonce));
    }

    /** Seconds a new session's cookie lives. */
    long maxAgeSeconds() {
        return config.sessionTtl().toSeconds();
    }

    private String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return B64.encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
