package dev.herald.platform;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses bodies over {@code herald.http.max-body} with a problem document. (The HTTP layer's
 * own limit, set higher, answers a bare 413 and guards bodies sent without a length.)
 */
public class BodyLimitFilter {

    private final long maxBody;

    public BodyLimitFilter(HttpConfig config) {
        this.maxBody = config.maxBody().asLongValue();
    }

    @ServerRequestFilter(preMatching = true)
    public Response limit(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return null;
        }
        long size;
        try {
            size = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Problems.response(ProblemException.badRequest("Content-Length is not a number."));
        }
        if (size <= maxBody) {
            return null;
        }
        return Problems.response(new Problem(Problems.type("body-too-large"), "Body too large", 413,
                "The body has " + size + " bytes; the limit is " + maxBody + " (herald.http.max-body).", null));
    }
}
