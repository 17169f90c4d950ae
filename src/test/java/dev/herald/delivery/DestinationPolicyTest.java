package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Private destinations are refused unless a network is allowed (contract section 5). */
class DestinationPolicyTest {

    final DestinationPolicy strict = new DestinationPolicy(List.of());
    final DestinationPolicy loopbackAllowed = new DestinationPolicy(List.of("127.0.0.0/8", "::1/128"));

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "localhost", "::1", "169.254.169.254", "10.1.2.3", "172.16.0.1",
            "192.168.1.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "100.64.1.1", "fd00::1", "fe80::1", "224.0.0.1",
            "ff02::1", "0.0.0.0", "::", "64:ff9b::a01:203", "255.255.255.255" })
    void privateDestinationsAreRefused(String host) {
        assertThatThrownBy(() -> strict.resolve(host).await().indefinitely())
                .isInstanceOf(DestinationPolicy.Blocked.class)
                .hasMessageContaining("herald.delivery.allowed-networks");
    }

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "localhost", "::1", "::ffff:127.0.0.1", "127.1.2.3" })
    void loopbackPassesWhenItsNetworkIsAllowed(String host) {
        assertThat(loopbackAllowed.resolve(host).await().indefinitely().address().isLoopbackAddress()).isTrue();
    }

    @Test
    void allowingOneNetworkOpensOnlyThatOne() {
        DestinationPolicy metadata = new DestinationPolicy(List.of("169.254.169.254/32"));
        assertThat(metadata.resolve("169.254.169.254").await().indefinitely()).isNotNull();
        assertThatThrownBy(() -> metadata.resolve("169.254.169.253").await().indefinitely())
                .isInstanceOf(DestinationPolicy.Blocked.class);
        assertThatThrownBy(() -> metadata.resolve("127.0.0.1").await().indefinitely())
                .isInstanceOf(DestinationPolicy.Blocked.class);
    }

    @Test
    void publicAddressesPass() {
        assertThat(strict.resolve("93.184.216.34").await().indefinitely().address().getHostAddress())
                .isEqualTo("93.184.216.34");
        assertThat(strict.resolve("2606:2800:220:1:248:1893:25c8:1946").await().indefinitely()).isNotNull();
    }

    @Test
    void literalsAreCheckedOnSaveAndNamesAtSendTime() {
        assertThat(strict.literalProblem("10.1.2.3")).get().asString().contains("private");
        assertThat(strict.literalProblem("::1")).get().asString().contains("loopback");
        assertThat(strict.literalProblem("localhost")).isEmpty();
        assertThat(strict.literalProblem("crm.example.com")).isEmpty();
        assertThat(loopbackAllowed.literalProblem("127.0.0.1")).isEmpty();
    }

    @Test
    void badNetworksAreRejected() {
        assertThatThrownBy(() -> new DestinationPolicy(List.of("10.0.0.0/33")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DestinationPolicy(List.of("example.com/8")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
