package dev.herald.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Hands out {@link Gate}s and opens every one still shut after each test, so that a test that
 * fails halfway leaves no receiver thread held. Register with {@code @RegisterExtension}.
 */
public class Gates implements AfterEachCallback {

    private final List<Gate> handedOut = new CopyOnWriteArrayList<>();

    public Gate shut() {
        Gate gate = new Gate();
        handedOut.add(gate);
        return gate;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        handedOut.forEach(Gate::open);
        handedOut.clear();
    }
}
