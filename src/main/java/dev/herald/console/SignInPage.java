package dev.herald.console;

import java.net.URI;
import java.util.Locale;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import dev.herald.platform.ApiKeys;
import io.vertx.core.http.HttpServerRequest;

/** Signing in to the console with an admin key, and out again. */
@Path(Console.BASE)
@Produces(MediaType.TEXT_HTML)
public class SignInPage {

    private final ApiKeys keys;
    private final ConsoleSessions sessions;
    private final Visitor visitor;

    public SignInPage(ApiKeys keys, ConsoleSessions sessions, Visitor visitor) {
        this.keys = keys;
        this.sessions = sessions;
        this.visitor = visitor;
    }

    @GET
    public Response home() {
        return Response.seeOther(URI.create(Console.BASE + "/campaigns")).build();
    }

    @GET
    @Path("/sign-in")
    public Response form(@RestQuery String next, @RestQuery String notice) {
        return page(200, next, null, notice);
    }

    @POST
    @Path("/sign-in")
    public Response signIn(@RestForm String key, @RestForm String next, HttpServerRequest http) {
        String presented = key == null ? "" : key.trim();
        if (keys.isIngest(presented)) {
            return page(403, next, "An ingest key cannot sign in to the console: use an admin key.", null);
        }
        if (!keys.isAdmin(presented)) {
            return page(401, next, "That is not an admin key of this Herald.", null);
        }
        NewCookie cookie = new NewCookie.Builder(ConsoleSessions.COOKIE).value(sessions.issue()).path(Console.BASE)
                .httpOnly(true).secure(overHttps(http)).sameSite(NewCookie.SameSite.STRICT)
                .maxAge((int) sessions.maxAgeSeconds()).build();
        return Response.seeOther(URI.create(safeNext(next))).cookie(cookie).build();
    }

    @POST
    @Path("/sign-out")
    public Response signOut(@RestForm String csrf, HttpServerRequest http) {
        visitor.requireCsrf(csrf);
        NewCookie gone = new NewCookie.Builder(ConsoleSessions.COOKIE).value("").path(Console.BASE).httpOnly(true)
                .secure(overHttps(http)).sameSite(NewCookie.SameSite.STRICT).maxAge(0).build();
        return Response.seeOther(Console.page("/sign-in", "You are signed out.")).cookie(gone).build();
    }

    private static Response page(int status, String next, String error, String notice) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(Pages.signIn(new Chrome("Sign in", "sign-in", null, notice), safeNext(next), error)).build();
    }

    /**
     * Whether the browser reached Herald over HTTPS, here or at a proxy in front that says so.
     * Trusting the proxy's header costs nothing here: a client that claims HTTPS falsely only
     * gets a cookie its own browser will not send back over plain HTTP.
     */
    static boolean overHttps(HttpServerRequest http) {
        String forwardedProto = http.getHeader("X-Forwarded-Proto");
        String forwarded = http.getHeader("Forwarded");
        return "https".equals(http.scheme()) || "https".equalsIgnoreCase(forwardedProto)
                || forwarded != null && forwarded.toLowerCase(Locale.ROOT).contains("proto=https");
    }

    /**
     * Only a console page: a sign-in link must not send the browser anywhere else. The path may
     * not climb out or hide a climb in escapes; the query is the page's own business.
     */
    static String safeNext(String next) {
        String home = Console.BASE + "/campaigns";
        if (next == null || next.indexOf('\\') >= 0) {
            return home;
        }
        int query = next.indexOf('?');
        String path = query < 0 ? next : next.substring(0, query);
        boolean console = path.startsWith(Console.BASE + "/") && !path.startsWith(Console.SIGN_IN);
        boolean plain = !path.contains("..") && !path.contains("//") && !path.contains("%");
        return console && plain ? next : home;
    }
}
