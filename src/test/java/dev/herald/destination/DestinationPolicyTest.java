package dev.herald.destination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** Every special-purpose range, by an address inside it, and the reason the refusal gives. */
    @ParameterizedTest
    @CsvSource({
            "0.1.2.3, unspecified", "10.255.0.1, private", "100.127.255.254, carrier-grade NAT",
            "127.255.255.255, loopback", "169.254.169.254, link-local", "172.31.255.255, private",
            "192.0.0.8, IETF protocol", "192.0.2.10, documentation", "192.88.99.1, 6to4 relay",
            "192.168.255.255, private", "198.18.0.1, benchmarking", "198.19.255.255, benchmarking",
            "198.51.100.7, documentation", "203.0.113.200, documentation", "239.255.255.255, multicast",
            "240.0.0.1, reserved", "255.255.255.255, reserved",
            "::, unspecified", "::1, loopback", "100::1, discard-only", "2001::1, Teredo",
            "2001:2::1, benchmarking", "2001:db8:1::1, documentation", "fd12:3456::1, unique-local",
            "fe80::1, link-local", "fec0::1, site-local", "ff0e::1, multicast",
            // IPv6 forms that carry a refused IPv4 address.
            "::a00:1, IPv4-compatible form of 10.0.0.1", "::ffff:0:a9fe:a9fe, IPv4-translated form of 169.254.169.254",
            "64:ff9b::c0a8:101, NAT64 form of 192.168.1.1", "64:ff9b:1::7f00:1, local NAT64 form of 127.0.0.1",
            "2002:c000:0204::1, 6to4 form of 192.0.2.4", "2002:7f00:0001::, 6to4 form of 127.0.0.1" })
    void everySpecialPurposeRangeIsRefused(String address, String reason) throws Exception {
        assertThat(strict.refusal(java.net.InetAddress.getByName(address))).get().asString().contains(reason);
        assertThatThrownBy(() -> strict.resolve(address).await().indefinitely())
                .isInstanceOf(DestinationPolicy.Blocked.class).hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = { "93.184.216.34", "1.1.1.1", "192.0.1.255", "192.0.3.0", "198.17.255.255",
            "198.20.0.0", "223.255.255.255", "2606:2800:220:1:248:1893:25c8:1946", "2a00:1450::1",
            "64:ff9b::5db8:d822", "2002:5db8:d822::1", "::ffff:0:5db8:d822" })
    void publicAddressesAndTheirIpv6FormsPass(String address) throws Exception {
        assertThat(strict.refusal(java.net.InetAddress.getByName(address))).isEmpty();
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
