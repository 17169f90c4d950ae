package dev.herald.console;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.herald.delivery.DeliveryQueries;
import dev.herald.event.EventService;
import dev.herald.platform.Json;
import dev.herald.platform.ProblemException;
import dev.herald.user.UserService;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;

/** The console's users: search, and one user's attributes, recent events and deliveries. */
@Path(Console.BASE + "/users")
@Produces(MediaType.TEXT_HTML)
public class UserPages {

    static final int PAGE_SIZE = 50;
    static final int RECENT = 20;

    private final UserService users;
    private final EventService events;
    private final DeliveryQueries deliveries;
    private final Visitor visitor;
    private final Json json;

    public UserPages(UserService users, EventService events, DeliveryQueries deliveries, Visitor visitor, Json json) {
        this.users = users;
        this.events = events;
        this.deliveries = deliveries;
        this.visitor = visitor;
        this.json = json;
    }

    @GET
    public Uni<TemplateInstance> list(@RestQuery String q, @RestQuery String after) {
        String search = Console.given(q);
        return Uni.createFrom().deferred(() -> users.list(search, after, PAGE_SIZE))
                .map(page -> Pages.users(chrome("Users", null), page.items(), search, page.next()))
                .onFailure(ProblemException.class).recoverWithItem(failure -> Pages.users(
                        chrome("Users", failure.getMessage()), List.of(), search, null));
    }

    @GET
    @Path("/{id}")
    public Uni<Response> user(@RestPath String id) {
        return Uni.createFrom().deferred(() -> users.get(id)).chain(user -> Uni.combine().all()
                .unis(events.list(user.id(), null, null, RECENT), deliveries.list(new DeliveryQueries.Filter(null,
                        user.id(), null, null, null, null, null, RECENT)))
                .asTuple()
                .map(found -> Response.ok(Pages.user(chrome(user.id(), null), user, pretty(user.attributes()),
                        found.getItem1().items(), found.getItem2())).build()));
    }

    private Chrome chrome(String title, String notice) {
        return new Chrome(title, "users", visitor.csrf(), notice);
    }

    private String pretty(Object value) {
        try {
            return json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored attributes could not be written as JSON", e);
        }
    }

    /** Unknown ids and refused moves on these pages answer as a page, not as a problem document. */
    @ServerExceptionMapper
    Response problem(ProblemException problem) {
        return ErrorPage.of(problem, new Chrome("Not available", "users", visitor.csrf(), null));
    }
}
