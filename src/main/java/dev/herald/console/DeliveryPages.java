package dev.herald.console;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.herald.delivery.DeliveryQueries;
import dev.herald.delivery.DeliveryReason;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.delivery.RetryService;
import dev.herald.platform.Ids;
import dev.herald.platform.Page;
import dev.herald.platform.ProblemException;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;

/** The console's delivery log, one delivery with its attempts, and sending a failed one again. */
@Path(Console.BASE + "/deliveries")
@Produces(MediaType.TEXT_HTML)
public class DeliveryPages {

    static final int PAGE_SIZE = 50;

    private final DeliveryQueries deliveries;
    private final RetryService retries;
    private final Visitor visitor;

    public DeliveryPages(DeliveryQueries deliveries, RetryService retries, Visitor visitor) {
        this.deliveries = deliveries;
        this.retries = retries;
        this.visitor = visitor;
    }

    /** The log's filters as the visitor typed them; times are UTC, as a datetime-local field gives them. */
    @TemplateData
    public record Filters(String campaignId, String userId, String status, String reason, String since,
            String until) {

        public boolean any() {
            return campaignId != null || userId != null || status != null || reason != null || since != null
                    || until != null;
        }

        /** This list's address with these filters, ready for one more parameter. */
        public String query() {
            StringBuilder q = new StringBuilder(Console.BASE + "/deliveries?");
            append(q, "campaignId", campaignId);
            append(q, "userId", userId);
            append(q, "status", status);
            append(q, "reason", reason);
            append(q, "since", since);
            append(q, "until", until);
            return q.toString();
        }

        private static void append(StringBuilder q, String name, String value) {
            if (value != null) {
                q.append(name).append('=').append(Console.encoded(value)).append('&');
            }
        }
    }

    @GET
    public Uni<TemplateInstance> list(@RestQuery String campaignId, @RestQuery String userId,
            @RestQuery String status, @RestQuery String reason, @RestQuery String since, @RestQuery String until,
            @RestQuery String after, @RestQuery String notice) {
        Filters filters = new Filters(Console.given(campaignId), Console.given(userId), Console.given(status),
                Console.given(reason), Console.given(since), Console.given(until));
        DeliveryQueries.Filter filter;
        try {
            filter = new DeliveryQueries.Filter(
                    filters.campaignId() == null ? null : Ids.parse(filters.campaignId(), "campaign"),
                    filters.userId(),
                    filters.status() == null ? null : DeliveryStatus.valueOf(filters.status()),
                    filters.reason() == null ? null
                            : DeliveryReason.valueOf(filters.reason().toUpperCase(Locale.ROOT)),
                    utc(filters.since()), utc(filters.until()), Page.afterId(after), PAGE_SIZE + 1);
        } catch (IllegalArgumentException | DateTimeParseException | ProblemException e) {
            return Uni.createFrom().item(Pages.deliveries(chrome("Deliveries", "A filter is not valid: "
                    + e.getMessage()), List.of(), filters, null, statuses()));
        }
        return deliveries.list(filter)
                .map(found -> Page.of(found, PAGE_SIZE, d -> d.id().toString()))
                .map(page -> Pages.deliveries(chrome("Deliveries", notice), page.items(), filters, page.next(),
                        statuses()));
    }

    @GET
    @Path("/{id}")
    public Uni<Response> delivery(@RestPath String id, @RestQuery String notice) {
        UUID deliveryId = Ids.parse(id, "delivery");
        return deliveries.find(deliveryId).map(found -> found == null
                ? Response.status(404).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                        .entity(Pages.deliveries(chrome("Deliveries", "No delivery has the id " + id + "."),
                                List.of(), new Filters(null, null, null, null, null, null), null, statuses()))
                        .build()
                : Response.ok(Pages.delivery(chrome("Delivery", notice), found)).build());
    }

    @POST
    @Path("/{id}/retry")
    public Uni<Response> retry(@RestPath String id, @RestForm String csrf) {
        visitor.requireCsrf(csrf);
        return Uni.createFrom().deferred(() -> retries.retry(Ids.parse(id, "delivery")))
                .map(retried -> CampaignPages.redirect("/deliveries/" + id,
                        "Sent again: the delivery is PENDING, with the same webhook-id."))
                .onFailure(ProblemException.class).recoverWithItem(failure -> CampaignPages.redirect(
                        "/deliveries/" + id, failure.getMessage()));
    }

    private Chrome chrome(String title, String notice) {
        return new Chrome(title, "deliveries", visitor.csrf(), notice);
    }

    private static Instant utc(String local) {
        return local == null ? null : LocalDateTime.parse(local).toInstant(ZoneOffset.UTC);
    }

    static List<String> statuses() {
        return Arrays.stream(DeliveryStatus.values()).map(Enum::name).toList();
    }


    /** Unknown ids and refused moves on these pages answer as a page, not as a problem document. */
    @ServerExceptionMapper
    Response problem(ProblemException problem) {
        return ErrorPage.of(problem, new Chrome("Not available", "deliveries", visitor.csrf(), null));
    }
}
