package dev.herald.campaign;

import java.time.Instant;
import java.util.UUID;

/** The answer to a rotation: the new secret, shown this once, and until when the old one signs too. */
public record RotatedSecret(UUID actionId, String signingSecret, Instant previousSecretSignsUntil) {
}
