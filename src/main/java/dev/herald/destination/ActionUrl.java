package dev.herald.destination;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of an action's URL template that are literal: scheme, host and port. Templates may
 * stand in the user info, path and query, never in the host, so the destination of every
 * delivery of an action is known before anything is rendered.
 */
public record ActionUrl(String scheme, String host, int port, boolean hasUserInfo) {

    private static final Pattern URL = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$", Pattern.DOTALL);
    private static final Pattern HOST = Pattern.compile(
            "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\\.?)(?::(\\d{1,5}))?$");

    /** Why a URL template is not a valid action URL, or null when it is. */
    public static String problem(String url) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            return "must be an absolute http or https URL, such as https://example.com/hooks";
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must use http or https, not " + scheme;
        }
        String authority = m.group(2);
        String hostAndPort = authority.substring(authority.lastIndexOf('@') + 1);
        if (hostAndPort.isEmpty()) {
            return "must name a host";
        }
        if (hostAndPort.contains("{")) {
            return "the host cannot be a template; templates are allowed in the path and query";
        }
        Matcher host = HOST.matcher(hostAndPort);
        if (!host.matches()) {
            return "'" + hostAndPort + "' is not a valid host[:port]";
        }
        if (host.group(2) != null) {
            int port = Integer.parseInt(host.group(2));
            if (port < 1 || port > 65535) {
                return "port must be between 1 and 65535";
            }
        }
        return null;
    }

    /** Parses a URL template that {@link #problem} accepts. */
    public static ActionUrl parse(String url) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an action URL");
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String authority = m.group(2);
        Matcher host = HOST.matcher(authority.substring(authority.lastIndexOf('@') + 1));
        if (!host.matches()) {
            throw new IllegalArgumentException("not an action URL");
        }
        String name = host.group(1).toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            name = name.substring(1, name.length() - 1);
        } else if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        int port = host.group(2) != null ? Integer.parseInt(host.group(2)) : scheme.equals("https") ? 443 : 80;
        return new ActionUrl(scheme, name, port, authority.contains("@"));
    }

    /** The key of this destination for limits and breakers: host and port. */
    public String hostKey() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** What stands for a password in a URL that is shown. */
    public static final String MASK = "****";

    /** The URL with the password of its user info masked: {@code https://user:****@host/...}. */
    public static String maskPassword(String url) {
        int[] userInfo = url == null ? null : userInfoBounds(url);
        if (userInfo == null) {
            return url;
        }
        String info = url.substring(userInfo[0], userInfo[1]);
        int colon = info.indexOf(':');
        String masked = colon < 0 ? info : info.substring(0, colon + 1) + MASK;
        return url.substring(0, userInfo[0]) + masked + url.substring(userInfo[1]);
    }

    /** Start (inclusive) and end (the '@') of the user info in a URL, or null when it has none. */
    public static int[] userInfoBounds(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return null;
        }
        int start = scheme + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        int at = url.lastIndexOf('@', end - 1);
        return at < start ? null : new int[] { start, at };
    }
}
