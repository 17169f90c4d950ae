package dev.herald.event;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.herald.platform.Api;
import dev.herald.platform.Page;
import io.smallrye.mutiny.Uni;

/** A user's tracked events (contract section 3), beside the user's own resource. */
@Path(Api.BASE + "/users/{userId}/events")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Users")
public class UserEventsResource {

    private final EventService events;

    public UserEventsResource(EventService events) {
        this.events = events;
    }

    @GET
    @Operation(summary = "A user's tracked events, newest first; name narrows to one event name")
    public Uni<Page<TrackedEvent>> events(@PathParam("userId") String userId, @QueryParam("name") String name,
            @QueryParam("after") String after, @QueryParam("limit") String limit) {
        return events.list(userId, name, after, Page.limit(limit));
    }
}
