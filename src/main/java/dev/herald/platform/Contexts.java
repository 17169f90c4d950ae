package dev.herald.platform;

import java.util.concurrent.Executor;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** Brings a pipeline back to the Vert.x context it started on, after a step finished on another thread. */
public final class Contexts {

    private Contexts() {
    }

    /**
     * Runs tasks on the caller's Vert.x context (for {@code emitOn}), or where they are when the
     * caller has none (a test thread, a worker without a context).
     */
    public static Executor current() {
        Context context = Vertx.currentContext();
        return context == null ? Runnable::run : task -> context.runOnContext(ignored -> task.run());
    }
}
