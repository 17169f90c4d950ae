package dev.herald.platform;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a NUL character ({@code %00}) in the path or a query parameter with a 400 naming it,
 * before it can reach a query: PostgreSQL cannot take it, and would answer with an error.
 */
public class NulInUrlFilter {

    @ServerRequestFilter(preMatching = true)
    public Response refuseNul(ContainerRequestContext request, RoutingContext routing) {
        // %00 stays encoded in the routed path.
        String path = Api.routedPath(routing);
        if (path == null || !path.startsWith(Api.BASE)) {
            return null;
        }
        // %00 is the only way to write NUL in a URL path.
        if (path.contains("%00")) {
            // The only free text in a path is a user id.
            String field = path.startsWith(Api.BASE + "/users/") ? "userId" : "path";
            return Problems.response(ProblemException.invalid(field, "must not contain the NUL character (%00)"));
        }
        for (Map.Entry<String, List<String>> parameter : request.getUriInfo().getQueryParameters().entrySet()) {
            boolean nul = parameter.getKey().indexOf('\0') >= 0
                    || parameter.getValue().stream().anyMatch(v -> v != null && v.indexOf('\0') >= 0);
            if (nul) {
                return Problems.response(ProblemException.invalid(parameter.getKey().replace("\0", "%00"),
                        "must not contain the NUL character (%00)"));
            }
        }
        return null;
    }
}
