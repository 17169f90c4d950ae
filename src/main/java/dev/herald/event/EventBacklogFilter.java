package dev.herald.event;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.herald.platform.Api;
import dev.herald.platform.ProblemException;
import dev.herald.platform.Problems;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses event requests with 429 before their body is read while the backlog is full, which
 * {@link EventBacklog#hold} would refuse anyway once the body was parsed: a client sending faster
 * than the database stores then costs neither the parsing of its events nor the memory of its
 * body. After the API key is checked, so that only a caller who may send events learns that the
 * backlog is full.
 */
public class EventBacklogFilter {

    private static final String SINGLE = Api.BASE + "/events";
    private static final String BATCH = Api.BASE + "/events/batch";

    private final EventBacklog backlog;

    public EventBacklogFilter(EventBacklog backlog) {
        this.backlog = backlog;
    }

    @ServerRequestFilter(priority = Priorities.USER + 100)
    public Response refuseWhileFull(RoutingContext routing) {
        String path = Api.routedPath(routing);
        if (!HttpMethod.POST.equals(routing.request().method()) || !(path.equals(SINGLE) || path.equals(BATCH))) {
            return null;
        }
        // A single event is one event; a batch's are not known unread.
        ProblemException refused = backlog.refusedWhileFull(path.equals(SINGLE) ? 1 : 0);
        return refused == null ? null : Problems.response(refused);
    }
}
