package dev.herald.destination;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Keeps webhooks away from private networks (contract section 5). A host is resolved, every
 * address it resolves to is checked, and the request is then sent to the address that passed, so
 * a second DNS answer cannot point it elsewhere. {@code herald.delivery.allowed-networks} opens
 * exceptions.
 */
@Singleton
public class DestinationPolicy {

    /** Where a request may go: the checked address to connect to. */
    public record Target(InetAddress address) {
    }

    /** The request may not go there; the message says why. */
    public static final class Blocked extends RuntimeException {
        public Blocked(String message) {
            super(message, null, false, false);
        }
    }

    /** Names are looked up at most this often (off the event loop); addresses are checked every time. */
    private static final Duration NAME_TTL = Duration.ofSeconds(30);

    private record Resolved(InetAddress[] addresses, long until) {
    }

    private final List<Network> allowed;
    private final Map<String, Resolved> resolved = new ConcurrentHashMap<>();

    @Inject
    public DestinationPolicy(DestinationConfig config) {
        this(config.allowedNetworks().orElse(List.of()));
    }

    DestinationPolicy(List<String> allowedNetworks) {
        this.allowed = allowedNetworks.stream().filter(text -> !text.isBlank()).map(Network::parse).toList();
    }

    /**
     * Resolves a host (off the event loop: name lookups block) and picks the first address that
     * is allowed; fails with {@link Blocked} when any address is refused, since a name that
     * resolves to a private address anywhere is not one to trust.
     */
    public Uni<Target> resolve(String host) {
        Uni<InetAddress[]> addresses;
        Resolved cached = resolved.get(host);
        if (isLiteral(host)) {
            addresses = Uni.createFrom().item(() -> lookUp(host));
        } else if (cached != null && cached.until() > System.nanoTime()) {
            addresses = Uni.createFrom().item(cached.addresses());
        } else {
            addresses = Uni.createFrom().item(() -> lookUp(host))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .invoke(found -> {
                        if (resolved.size() > 10_000) {
                            resolved.clear();
                        }
                        resolved.put(host, new Resolved(found, System.nanoTime() + NAME_TTL.toNanos()));
                    });
        }
        return addresses
                .map(found -> {
                    for (InetAddress address : found) {
                        Optional<String> refused = refusal(address);
                        if (refused.isPresent()) {
                            throw new Blocked(host + " resolves to " + address.getHostAddress() + ", "
                                    + refused.get() + "; allow it with herald.delivery.allowed-networks");
                        }
                    }
                    return new Target(found[0]);
                });
    }

    /** For a host written as an IP address, why it is refused; empty for names and allowed addresses. */
    public Optional<String> literalProblem(String host) {
        if (!isLiteral(host)) {
            return Optional.empty();
        }
        try {
            InetAddress address = InetAddress.getByName(host);
            return refusal(address).map(reason -> "'" + host + "' is " + reason
                    + "; webhooks may not go to private networks (herald.delivery.allowed-networks opens exceptions)");
        } catch (UnknownHostException e) {
            return Optional.of("'" + host + "' is not a valid IP address");
        }
    }

    /** Why an address is refused, or empty when it may be used. */
    public Optional<String> refusal(InetAddress address) {
        for (Network network : allowed) {
            if (network.contains(address)) {
                return Optional.empty();
            }
        }
        Optional<String> reason = SpecialAddresses.reason(address);
        if (reason.isPresent()) {
            return reason;
        }
        // An IPv6 form of an IPv4 address is judged, and allowed, as that address.
        return SpecialAddresses.embedded(address).flatMap(embedded -> refusal(embedded.address())
                .map(why -> "the " + embedded.form() + " form of " + embedded.address().getHostAddress()
                        + " (" + why + ")"));
    }

    /** An IP address written out: resolving it needs no lookup. */
    private static boolean isLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private static InetAddress[] lookUp(String host) {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot resolve " + host, e);
        }
    }
}
