package dev.herald.support;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a receiver's answer until the test opens it: a receiver that hangs exactly as long as a
 * test needs, with no sleep. A gate left shut opens by itself after a minute, so that a failing
 * test cannot hold the receiver's threads for good.
 */
public final class Gate {

    private final CountDownLatch latch = new CountDownLatch(1);

    public void open() {
        latch.countDown();
    }

    /** A reply that answers {@code status} once the gate is open. */
    public Receiver.Reply thenReply(int status) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Receiver.Reply.of(status);
    }
}
