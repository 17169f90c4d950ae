package dev.herald.campaign;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A signing secret replaced by a rotation; it still signs, beside the new one, until {@code until}. */
@RegisterForReflection
public record RetiredSecret(String secret, Instant until) {
}
