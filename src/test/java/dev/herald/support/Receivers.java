package dev.herald.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts receivers for a test class and closes them after it. Each receiver is a destination of
 * its own (its own host and port), and so has its own circuit breaker: tests that make a host
 * fail do not disturb each other. Register with {@code @RegisterExtension}.
 */
public class Receivers implements AfterAllCallback {

    private final List<Receiver> started = new CopyOnWriteArrayList<>();

    public Receiver fresh() {
        Receiver receiver = new Receiver();
        started.add(receiver);
        return receiver;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        started.forEach(Receiver::close);
        started.clear();
    }
}
