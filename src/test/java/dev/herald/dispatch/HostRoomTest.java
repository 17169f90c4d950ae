package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.delivery.AttemptResult;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/**
 * A host's room counts every delivery claimed for it until it ends, sent or not: claims run
 * while earlier ones are still being prepared, and must not take a host's share twice.
 */
@QuarkusTest
class HostRoomTest {

    @Inject
    HostGuards guards;
    @Inject
    DeliveryConfig config;

    @Test
    void deliveriesBeingPreparedTakeTheirHostsRoomUntilTheyEnd() {
        String host = "room-test.invalid:1";
        int most = 2 * config.connectionsPerHost();
        int least = config.connectionsPerHost() / 2;
        assertThat(guards.room().of(host)).isEqualTo(most);

        for (int i = 0; i < most - least; i++) {
            guards.hold(host);
        }
        assertThat(guards.room().of(host)).isEqualTo(least);
        guards.hold(host);
        // Less room than a claim is worth: the host is not claimed for until more frees up.
        assertThat(guards.room().of(host)).isZero();
        assertThat(guards.hasRoom(host)).isFalse();

        // One held delivery is sent: still held while in flight, freed when its request ends.
        AttemptResult result = guards.call(host, () -> Uni.createFrom().item(
                AttemptResult.notBuilt(Instant.now(), "not sent by this test"))).await().atMost(Duration.ofSeconds(5));
        assertThat(result.notBuilt()).isTrue();
        assertThat(guards.room().of(host)).isEqualTo(least);

        // The others end without a request (skipped, or given back).
        for (int i = 1; i < most - least + 1; i++) {
            guards.unhold(host);
        }
        assertThat(guards.room().of(host)).isEqualTo(most);
        assertThat(guards.hosts()).anyMatch(state -> state.host().equals(host) && state.inFlight() == 0);
    }
}
