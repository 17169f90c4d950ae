package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.delivery.AttemptResult;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/** How a host's guard runs an attempt on the dispatcher's event loop. */
@QuarkusTest
class HostGuardsTest {

    @Inject
    HostGuards guards;
    @Inject
    Vertx vertx;

    /**
     * The guard calls the attempt at once on the caller's event loop and hands its result straight
     * back: no trip through the event loop's task queue before the request or after its answer.
     */
    @Test
    void theGuardCallsTheAttemptOnTheCallersEventLoopAtOnce() {
        String host = "inline-test.invalid:1";
        CompletableFuture<List<String>> seen = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(ignored -> {
            List<String> order = new ArrayList<>();
            Thread caller = Thread.currentThread();
            guards.hold(host);
            guards.call(host, () -> {
                order.add(Thread.currentThread() == caller ? "attempt on the caller's thread" : "attempt elsewhere");
                return Uni.createFrom().item(AttemptResult.notBuilt(Instant.now(), "not sent by this test"));
            }).subscribe().with(result -> order.add("result"), seen::completeExceptionally);
            order.add("call returned");
            seen.complete(List.copyOf(order));
        });
        assertThat(seen.orTimeout(5, TimeUnit.SECONDS).join())
                .containsExactly("attempt on the caller's thread", "result", "call returned");
    }
}
