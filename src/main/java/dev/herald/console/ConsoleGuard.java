package dev.herald.console;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.herald.platform.Api;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Keeps the console to signed-in admins: a page without a valid session sends the browser to
 * the sign-in page, and a request that changes state is refused unless it comes from a page of
 * this console (same origin; each form also carries its session's token, see {@link Visitor}).
 */
public class ConsoleGuard {

    private final ConsoleSessions sessions;
    private final Visitor visitor;

    public ConsoleGuard(ConsoleSessions sessions, Visitor visitor) {
        this.sessions = sessions;
        this.visitor = visitor;
    }

    @ServerRequestFilter
    public Response guard(RoutingContext routing) {
        String path = Api.routedPath(routing);
        HttpServerRequest http = routing.request();
        if (!path.equals(Console.BASE) && !path.startsWith(Console.BASE + "/")) {
            return null;
        }
        boolean changes = !"GET".equals(http.method().name()) && !"HEAD".equals(http.method().name());
        if (changes && !sameOrigin(http)) {
            return Visitor.refused("Cross-site requests to the console are refused.");
        }
        if (path.equals(Console.SIGN_IN)) {
            return null;
        }
        Cookie cookie = http.getCookie(ConsoleSessions.COOKIE);
        ConsoleSessions.Session session = sessions.verify(cookie == null ? null : cookie.getValue());
        if (session == null) {
            if (changes) {
                return Visitor.refused("Your console session has ended. Sign in again.");
            }
            String next = http.uri();
            return Response.seeOther(URI.create(Console.SIGN_IN + "?next="
                    + URLEncoder.encode(next, StandardCharsets.UTF_8))).build();
        }
        visitor.signedIn(session);
        return null;
    }

    /**
     * Console pages may not be framed by another site (clickjacking), run no script but the
     * console's own, post forms only to the console, and are not kept in caches.
     */
    @ServerResponseFilter
    public void harden(ContainerResponseContext response, RoutingContext routing) {
        String path = Api.routedPath(routing);
        if (!path.equals(Console.BASE) && !path.startsWith(Console.BASE + "/")) {
            return;
        }
        MultivaluedMap<String, Object> headers = response.getHeaders();
        headers.putSingle("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'");
        headers.putSingle("X-Frame-Options", "DENY");
        headers.putSingle("X-Content-Type-Options", "nosniff");
        headers.putSingle("Referrer-Policy", "same-origin");
        headers.putSingle("Cache-Control", "no-store");
    }

    /**
     * A browser names the page a form was sent from in Origin (or at least Referer); it must be
     * this host. Hosts are compared without the scheme, so a TLS-terminating proxy in front of
     * Herald does not make the console's own forms look foreign.
     */
    static boolean sameOrigin(HttpServerRequest http) {
        String host = http.getHeader("Host");
        String origin = http.getHeader("Origin");
        if (origin != null) {
            return host != null && host.equalsIgnoreCase(authority(origin));
        }
        String referer = http.getHeader("Referer");
        return referer == null || (host != null && host.equalsIgnoreCase(authority(referer)));
    }

    private static String authority(String url) {
        try {
            return URI.create(url).getRawAuthority();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
