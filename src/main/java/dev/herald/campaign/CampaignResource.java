package dev.herald.campaign;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;

import dev.herald.delivery.CampaignStats;
import dev.herald.delivery.RetryRequest;
import dev.herald.delivery.RetryResult;
import dev.herald.delivery.RetryService;
import dev.herald.delivery.StatsService;
import dev.herald.platform.Api;
import dev.herald.platform.Ids;
import dev.herald.platform.Page;
import io.smallrye.mutiny.Uni;

/** Campaigns: definition, lifecycle, statistics and retries (contract section 2). */
@Path(Api.BASE + "/campaigns")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Campaigns")
public class CampaignResource {

    private final CampaignService campaigns;
    private final RetryService retries;
    private final StatsService stats;

    public CampaignResource(CampaignService campaigns, RetryService retries, StatsService stats) {
        this.campaigns = campaigns;
        this.retries = retries;
        this.stats = stats;
    }

    @GET
    @Path("/{id}/stats")
    @Operation(summary = "Deliveries by status, success rate, latency p50/p95/p99, per action, and a time series "
            + "of deliveries created per bucket (default PT1H) between since (default: the campaign's creation) "
            + "and until (default: now)")
    public Uni<CampaignStats> stats(@PathParam("id") String id, @QueryParam("since") String since,
            @QueryParam("until") String until, @QueryParam("bucket") String bucket) {
        return campaigns.get(id(id)).chain(campaign -> stats.stats(campaign.id(), campaign.createdAt(),
                List.of(campaign.actionIds()), since, until, bucket));
    }

    @POST
    @Operation(summary = "Create a campaign (DRAFT). Signing secrets are shown in full in this answer only.",
            description = "Scheduling choices: a ONE_TIME campaign with localTime and timeZone \"user\" sends "
                    + "at each user's local time (their timeZone attribute, else defaultTimeZone); users whose "
                    + "local time has already passed when the campaign starts get it right away. A RECURRING "
                    + "fire time that falls in a daylight-saving gap fires once, moved forward by the gap; one "
                    + "that happens twice fires once, the first time. limits.maxPerMinute holds per clock "
                    + "minute (UTC) across all instances: a run is spread over the minutes it needs, and "
                    + "webhooks beyond the limit (overlapping runs, triggers, retries) wait for the next minutes. "
                    + "limits.quietHours: a webhook due inside them waits until they end.")
    public Uni<RestResponse<Campaign>> create(CampaignRequest request) {
        return campaigns.create(request).map(c -> RestResponse.ResponseBuilder.<Campaign> created(
                URI.create(Api.BASE + "/campaigns/" + c.id())).entity(c).build());
    }

    @GET
    @Operation(summary = "List campaigns, newest first; filter by status, delivery type, or q (part of the name)")
    public Uni<Page<Campaign>> list(@QueryParam("status") String status, @QueryParam("type") String type,
            @QueryParam("q") String q, @QueryParam("after") String after, @QueryParam("limit") String limit) {
        return campaigns.list(status, type, q, after, Page.limit(limit))
                .map(page -> new Page<>(page.items().stream().map(Campaign::masked).toList(), page.next()));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a campaign (signing secrets masked)")
    public Uni<Campaign> get(@PathParam("id") String id) {
        return campaigns.get(id(id)).map(Campaign::masked);
    }

    @PUT
    @Path("/{id}")
    @Operation(summary = "Replace a campaign's definition (any status but FINISHED). Actions keep their id when "
            + "sent with it; a masked signingSecret sent back unchanged keeps the stored secret.")
    public Uni<Campaign> replace(@PathParam("id") String id, CampaignRequest request) {
        return campaigns.replace(id(id), request);
    }

    @DELETE
    @Path("/{id}")
    @ResponseStatus(204)
    @Operation(summary = "Delete a DRAFT or FINISHED campaign with all its records")
    public Uni<Void> delete(@PathParam("id") String id) {
        return campaigns.delete(id(id));
    }

    @POST
    @Path("/{id}/start")
    @Operation(summary = "DRAFT or PAUSED → ACTIVE")
    public Uni<Campaign> start(@PathParam("id") String id) {
        return campaigns.start(id(id)).map(Campaign::masked);
    }

    @POST
    @Path("/{id}/pause")
    @Operation(summary = "ACTIVE → PAUSED: pending webhooks wait until the campaign is started again")
    public Uni<Campaign> pause(@PathParam("id") String id) {
        return campaigns.pause(id(id)).map(Campaign::masked);
    }

    @POST
    @Path("/{id}/finish")
    @Operation(summary = "Any status but FINISHED → FINISHED: pending webhooks are cancelled")
    public Uni<Campaign> finish(@PathParam("id") String id) {
        return campaigns.finish(id(id)).map(Campaign::masked);
    }

    @POST
    @Path("/{id}/deliveries/retry")
    @Operation(summary = "Send a campaign's FAILED deliveries again; narrow by reason and by since (when they "
            + "failed). Answers how many were put back to PENDING.")
    public Uni<RetryResult> retryDeliveries(@PathParam("id") String id, RetryRequest request) {
        return campaigns.get(id(id)).chain(campaign -> retries.retryAll(campaign.id(), request));
    }

    @POST
    @Path("/{id}/actions/{actionId}/rotate-secret")
    @Operation(summary = "Give an action a new signing secret, shown in this answer only; the old one keeps "
            + "signing beside it for herald.signing.rotation-overlap")
    public Uni<RotatedSecret> rotateSecret(@PathParam("id") String id, @PathParam("actionId") String actionId) {
        return campaigns.rotateSecret(id(id), Ids.parse(actionId, "action"));
    }

    private static UUID id(String id) {
        return Ids.parse(id, "campaign");
    }
}
