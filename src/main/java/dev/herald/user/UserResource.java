package dev.herald.user;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.herald.platform.Api;
import dev.herald.platform.Page;
import io.smallrye.mutiny.Uni;

/** Users and their attributes (contract section 3). */
@Path(Api.BASE + "/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Users")
public class UserResource {

    private final UserService users;

    public UserResource(UserService users) {
        this.users = users;
    }

    @PUT
    @Path("/{userId}")
    @Operation(summary = "Create a user or replace all its attributes (admin or ingest key)")
    public Uni<User> replace(@PathParam("userId") String userId, UserRequest request) {
        return users.replace(userId, request);
    }

    @PATCH
    @Path("/{userId}")
    @Operation(summary = "Create a user or merge attributes into it; a null value removes an attribute (admin or ingest key)")
    public Uni<User> merge(@PathParam("userId") String userId, UserRequest request) {
        return users.merge(userId, request);
    }

    @GET
    @Path("/{userId}")
    @Operation(summary = "Read a user")
    public Uni<User> get(@PathParam("userId") String userId) {
        return users.get(userId);
    }

    @GET
    @Operation(summary = "List users, newest first; q matches part of the id")
    public Uni<Page<User>> list(@QueryParam("q") String q, @QueryParam("after") String after,
            @QueryParam("limit") String limit) {
        return users.list(q, after, Page.limit(limit));
    }

    @DELETE
    @Path("/{userId}")
    @ResponseStatus(204)
    @Operation(summary = "Erase a user with its deliveries, cancelling what is pending for it")
    public Uni<Void> delete(@PathParam("userId") String userId) {
        return users.delete(userId);
    }
}
