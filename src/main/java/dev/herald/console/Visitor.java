package dev.herald.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The signed-in admin of this console request, as {@link ConsoleGuard} found them. */
@RequestScoped
public class Visitor {

    private ConsoleSessions.Session session;

    void signedIn(ConsoleSessions.Session found) {
        this.session = found;
    }

    /** The anti-forgery token every form of the page carries. */
    public String csrf() {
        return session == null ? "" : session.csrf();
    }

    /** Refuses a state-changing request whose form did not come from one of this session's pages. */
    void requireCsrf(String token) {
        if (session == null || token == null || !MessageDigest.isEqual(
                token.getBytes(StandardCharsets.US_ASCII),
                session.csrf().getBytes(StandardCharsets.US_ASCII))) {
            throw new WebApplicationException(refused("This form did not come from this console session. "
                    + "Reload the page and try again."));
        }
    }

    static Response refused(String why) {
        return Response.status(403).type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).entity(why).build();
    }
}
