package dev.herald.platform;

import java.util.regex.Pattern;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.ext.web.RoutingContext;

/**
 * Checks the bearer key of every API call: 401 without a known key, 403 for an ingest key
 * outside the calls it may make.
 */
public class ApiKeyFilter {

    private static final Pattern INGEST_USER_PATH = Pattern.compile("^" + Api.BASE + "/users/[^/]+/?$");

    private final ApiKeys keys;

    public ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @ServerRequestFilter
    public Response authenticate(ContainerRequestContext request, RoutingContext routing) {
        String path = Api.routedPath(routing);
        if (!path.startsWith(Api.BASE)) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return unauthorized("Send an API key as 'Authorization: Bearer <key>'.");
        }
        String key = header.substring(7).trim();
        if (keys.isAdmin(key)) {
            return null;
        }
        if (keys.isIngest(key)) {
            if (ingestMayCall(request.getMethod(), path)) {
                return null;
            }
            return Problems.response(new Problem(Problems.type("forbidden"), "Forbidden", 403,
                    "An ingest key may only call POST /events, POST /events/batch and PUT or PATCH /users/{id}; "
                            + "use an admin key for " + request.getMethod() + " " + path + ".",
                    null));
        }
        return unauthorized("The API key is not valid.");
    }

    static boolean ingestMayCall(String method, String path) {
        return switch (method) {
            case "POST" -> path.equals(Api.BASE + "/events") || path.equals(Api.BASE + "/events/batch");
            case "PUT", "PATCH" -> INGEST_USER_PATH.matcher(path).matches();
            default -> false;
        };
    }

    private static Response unauthorized(String detail) {
        Problem problem = new Problem(Problems.type("unauthorized"), "Unauthorized", 401, detail, null);
        return Response.status(401).type(Api.PROBLEM_JSON).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .entity(problem).build();
    }
}
