package dev.herald.event;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import dev.herald.platform.Problems;

/**
 * Refuses event requests with 429 before their body is read while the backlog is full, as
 * {@link EventBacklog#hold} would once it was: a client sending faster than the database stores
 * then costs neither the parsing of its events nor the memory of its body. After the API key is
 * checked, so that only a caller who may send events learns that the backlog is full.
 */
public class EventBacklogFilter {

    private final EventBacklog backlog;
    private final EventMetrics metrics;

    public EventBacklogFilter(EventBacklog backlog, EventMetrics metrics) {
        this.backlog = backlog;
        this.metrics = metrics;
    }

    @ServerRequestFilter(priority = Priorities.USER + 100)
    public Response refuseWhileFull(SimpleResourceInfo resource) {
        if (resource.getResourceClass() != EventResource.class || !backlog.full()) {
            return null;
        }
        // A single event is one event; a batch's are not known without reading it.
        metrics.refused("track".equals(resource.getMethodName()) ? 1 : 0);
        return Problems.response(backlog.refusal());
    }
}
