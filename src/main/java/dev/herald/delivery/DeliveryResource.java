package dev.herald.delivery;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.herald.platform.Api;
import dev.herald.platform.Ids;
import dev.herald.platform.Page;
import dev.herald.platform.ProblemException;
import io.smallrye.mutiny.Uni;

/** Delivery records: what was sent, to whom, and what came back (contract section 5). */
@Path(Api.BASE + "/deliveries")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Deliveries")
public class DeliveryResource {

    private final DeliveryQueries deliveries;
    private final RetryService retries;

    public DeliveryResource(DeliveryQueries deliveries, RetryService retries) {
        this.deliveries = deliveries;
        this.retries = retries;
    }

    @POST
    @Path("/{id}/retry")
    @Operation(summary = "Send a FAILED delivery again now: same request, same webhook-id, attempts counted anew")
    public Uni<DeliveryView> retry(@PathParam("id") String id) {
        return retries.retry(Ids.parse(id, "delivery"));
    }

    @GET
    @Operation(summary = "List deliveries, newest first; since and until bound the creation time, reason narrows "
            + "to one reason (RETRIES_EXHAUSTED, FREQUENCY_CAP, ...)")
    public Uni<Page<DeliveryView>> list(@QueryParam("campaignId") String campaignId,
            @QueryParam("userId") String userId, @QueryParam("status") String status,
            @QueryParam("reason") String reason, @QueryParam("since") String since, @QueryParam("until") String until,
            @QueryParam("after") String after, @QueryParam("limit") String limit) {
        int size = Page.limit(limit);
        UUID campaign = null;
        if (campaignId != null && !campaignId.isBlank()) {
            try {
                campaign = UUID.fromString(campaignId);
            } catch (IllegalArgumentException e) {
                throw ProblemException.invalid("campaignId", "must be a campaign id (a UUID)");
            }
        }
        DeliveryStatus statusFilter = named("status", status, DeliveryStatus.class);
        DeliveryReason reasonFilter = named("reason", reason, DeliveryReason.class);
        var filter = new DeliveryQueries.Filter(campaign, userId == null || userId.isEmpty() ? null : userId,
                statusFilter, reasonFilter, instant("since", since), instant("until", until), Page.afterId(after),
                size + 1);
        return deliveries.list(filter).map(found -> Page.of(found, size, d -> d.id().toString()));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a delivery with its rendered request (credentials masked) and every attempt")
    public Uni<DeliveryView> get(@PathParam("id") String id) {
        return deliveries.find(Ids.parse(id, "delivery"))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("delivery", id));
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeException e) {
            throw ProblemException.invalid(field, "must be an ISO-8601 instant such as 2026-12-01T09:00:00Z");
        }
    }

    /** A filter naming a constant of {@code type}, in any case; null when absent. */
    private static <E extends Enum<E>> E named(String field, String value, Class<E> type) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid(field, "must be one of " + Arrays.toString(type.getEnumConstants()));
        }
    }
}
