package dev.herald.audience;

/** How many users an audience holds now. */
public record AudienceCount(long count) {
}
