package dev.herald.event;

/** The answer to a batch: events stored, and repeats of events already stored. */
public record BatchAccepted(int accepted, int duplicates) {
}
