package dev.herald.platform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import jakarta.inject.Singleton;

/** The configured API keys, and which kind a presented key is. */
@Singleton
public class ApiKeys {

    private final List<byte[]> adminKeys;
    private final List<byte[]> ingestKeys;

    public ApiKeys(AuthConfig config) {
        this.adminKeys = bytes(config.adminKeys());
        this.ingestKeys = bytes(config.ingestKeys().orElse(List.of()));
    }

    public boolean isAdmin(String key) {
        return key != null && matches(adminKeys, key.getBytes(StandardCharsets.UTF_8));
    }

    public boolean isIngest(String key) {
        return key != null && matches(ingestKeys, key.getBytes(StandardCharsets.UTF_8));
    }

    /** Compares in constant time so that a key cannot be guessed from response times. */
    private static boolean matches(List<byte[]> keys, byte[] candidate) {
        boolean found = false;
        for (byte[] key : keys) {
            found |= MessageDigest.isEqual(key, candidate);
        }
        return found;
    }

    private static List<byte[]> bytes(List<String> keys) {
        return keys.stream().map(String::trim).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
