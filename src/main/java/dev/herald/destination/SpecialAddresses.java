package dev.herald.destination;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The one list of address ranges webhooks may not reach (the IANA special-purpose registries,
 * less the few that are globally reachable), and the IPv6 forms that carry an IPv4 address, whose
 * embedded address is checked in its turn.
 */
final class SpecialAddresses {

    private record Range(Network network, String reason) {
        Range(String cidr, String reason) {
            this(Network.parse(cidr), reason);
        }
    }

    /** An IPv6 range whose addresses carry an IPv4 address in four bytes starting at {@code offset}. */
    private record Embedding(Network network, int offset, String form) {
        Embedding(String cidr, int offset, String form) {
            this(Network.parse(cidr), offset, form);
        }
    }

    private static final List<Range> REFUSED = List.of(
            new Range("0.0.0.0/8", "an unspecified address"),
            new Range("10.0.0.0/8", "a private address"),
            new Range("100.64.0.0/10", "a carrier-grade NAT address"),
            new Range("127.0.0.0/8", "a loopback address"),
            new Range("169.254.0.0/16", "a link-local address (cloud metadata lives there)"),
            new Range("172.16.0.0/12", "a private address"),
            new Range("192.0.0.0/24", "an IETF protocol assignment"),
            new Range("192.0.2.0/24", "a documentation address"),
            new Range("192.88.99.0/24", "a 6to4 relay address"),
            new Range("192.168.0.0/16", "a private address"),
            new Range("198.18.0.0/15", "a benchmarking address"),
            new Range("198.51.100.0/24", "a documentation address"),
            new Range("203.0.113.0/24", "a documentation address"),
            new Range("224.0.0.0/4", "a multicast address"),
            new Range("240.0.0.0/4", "a reserved address"),
            new Range("::/128", "an unspecified address"),
            new Range("::1/128", "a loopback address"),
            new Range("100::/64", "a discard-only address"),
            new Range("2001::/32", "a Teredo tunnel address"),
            new Range("2001:2::/48", "a benchmarking address"),
            new Range("2001:db8::/32", "a documentation address"),
            new Range("fc00::/7", "a unique-local address"),
            new Range("fe80::/10", "a link-local address"),
            new Range("fec0::/10", "a site-local address"),
            new Range("ff00::/8", "a multicast address"));

    /** IPv4-mapped addresses (::ffff:a.b.c.d) are not listed: Java reads them as the IPv4 address itself. */
    private static final List<Embedding> EMBEDDINGS = List.of(
            new Embedding("::ffff:0:0:0/96", 12, "IPv4-translated"),
            new Embedding("::/96", 12, "IPv4-compatible"),
            new Embedding("64:ff9b::/96", 12, "NAT64"),
            new Embedding("64:ff9b:1::/48", 12, "local NAT64"),
            new Embedding("2002::/16", 2, "6to4"));

    private SpecialAddresses() {
    }

    /** The IPv4 address an IPv6 address carries, and the name of the form that carries it. */
    record Embedded(Inet4Address address, String form) {
    }

    /** Why an address may not be reached by itself (not counting what it embeds), or empty. */
    static Optional<String> reason(InetAddress address) {
        for (Range range : REFUSED) {
            if (range.network().contains(address)) {
                return Optional.of(range.reason());
            }
        }
        return Optional.empty();
    }

    /** The IPv4 address an IPv6 address carries (IPv4-mapped, NAT64, 6to4, ...), if it carries one. */
    static Optional<Embedded> embedded(InetAddress address) {
        for (Embedding embedding : EMBEDDINGS) {
            if (embedding.network().contains(address)) {
                byte[] bytes = Arrays.copyOfRange(address.getAddress(), embedding.offset(), embedding.offset() + 4);
                try {
                    return Optional.of(new Embedded((Inet4Address) InetAddress.getByAddress(bytes), embedding.form()));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Optional.empty();
    }
}
