package dev.herald.support;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Replaces Herald's system clock with one the tests can move. */
public class TestClockProducer {

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    MovableClock clock() {
        return new MovableClock();
    }
}
