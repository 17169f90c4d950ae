package dev.herald.destination;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IP network in CIDR notation, such as {@code 10.0.0.0/8} or {@code fc00::/7}. */
public record Network(byte[] address, int prefix) {

    public static Network parse(String cidr) {
        String text = cidr.trim();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        if (!host.matches("^[0-9A-Fa-f:.]+$")) {
            throw new IllegalArgumentException("'" + cidr + "' is not a CIDR network such as 10.0.0.0/8");
        }
        try {
            byte[] address = InetAddress.getByName(host).getAddress();
            int prefix = slash < 0 ? address.length * 8 : Integer.parseInt(text.substring(slash + 1));
            if (prefix < 0 || prefix > address.length * 8) {
                throw new IllegalArgumentException("'" + cidr + "' has a prefix length out of range");
            }
            return new Network(address, prefix);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not a CIDR network such as 10.0.0.0/8", e);
        }
    }

    public boolean contains(InetAddress candidate) {
        byte[] bytes = candidate.getAddress();
        if (bytes.length != address.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (bytes[i] != address[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (bytes[full] & mask) == (address[full] & mask);
    }
}
