package dev.herald.event;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.herald.platform.Api;
import io.smallrye.mutiny.Uni;

/** Tracked events (contract section 3). */
@Path(Api.BASE + "/events")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Events")
public class EventResource {

    private final EventService events;

    public EventResource(EventService events) {
        this.events = events;
    }

    @POST
    @ResponseStatus(202)
    @Operation(summary = "Track an event (admin or ingest key). userAttributes are merged into the user first "
            + "(creating it if needed), then triggers are evaluated; the answer comes once all of it is committed. "
            + "A repeat of the same (userId, id) answers duplicate: true and triggers nothing. "
            + "429 with Retry-After while herald.events.backlog events wait to be stored: nothing was stored "
            + "(the body is not read then).")
    public Uni<EventAccepted> track(EventRequest request) {
        return events.track(request);
    }

    @POST
    @Path("/batch")
    @ResponseStatus(202)
    @Operation(summary = "Track up to 1,000 events (admin or ingest key): all are checked first, and one bad event "
            + "refuses the batch (400 names each bad index); then all are stored in one transaction, in order. "
            + "429 with Retry-After when the batch would take the events waiting to be stored past "
            + "herald.events.backlog: nothing was stored (while the backlog is full, before the body is read)")
    public Uni<BatchAccepted> trackAll(BatchRequest request) {
        return events.trackAll(request);
    }
}
