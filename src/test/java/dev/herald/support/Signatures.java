package dev.herald.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What a receiver computes to check a Standard Webhooks signature. */
public final class Signatures {

    private Signatures() {
    }

    /** {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">} for a {@code whsec_} secret. */
    public static String sign(String secret, Receiver.Received r) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
            String content = r.header("webhook-id") + "." + r.header("webhook-timestamp") + "." + r.body();
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
