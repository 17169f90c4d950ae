package dev.herald.campaign;

import java.net.URI;
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
import dev.herald.delivery.PreviewRequest;
import dev.herald.delivery.PreviewResult;
import dev.herald.delivery.PreviewService;
import dev.herald.delivery.ReplayRequest;
import dev.herald.delivery.ReplayResult;
import dev.herald.delivery.ReplayService;
import dev.herald.delivery.StatsService;
import dev.herald.delivery.TestSendResult;
import dev.herald.platform.Api;
import dev.herald.platform.Ids;
import dev.herald.platform.Page;
import dev.herald.platform.ProblemException;
import dev.herald.schedule.RunService;
import dev.herald.schedule.RunView;
import dev.herald.schedule.SendRequest;
import dev.herald.schedule.SendResult;
import io.smallrye.mutiny.Uni;

/** Campaigns: definition, lifecycle, sending, preview (contract section 2). */
@Path(Api.BASE + "/campaigns")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Campaigns")
public class CampaignResource {

    private final CampaignService campaigns;
    private final RunService runs;
    private final PreviewService previews;
    private final ReplayService replays;
    private final StatsService stats;

    public CampaignResource(CampaignService campaigns, RunService runs, PreviewService previews,
            ReplayService replays, StatsService stats) {
        this.campaigns = campaigns;
        this.runs = runs;
        this.previews = previews;
        this.replays = replays;
        this.stats = stats;
    }

    @GET
    @Path("/{id}/stats")
    @Operation(summary = "Deliveries by status, success rate, latency p50/p95/p99, per action, and a time series "
            + "of deliveries created per bucket (default PT1H) between since (default: the campaign's creation) "
            + "and until (default: now)")
    public Uni<CampaignStats> stats(@PathParam("id") String id, @QueryParam("since") String since,
            @QueryParam("until") String until, @QueryParam("bucket") String bucket) {
        return campaigns.get(id(id)).chain(campaign -> stats.stats(campaign, since, until, bucket));
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
    @Path("/{id}/send")
    @ResponseStatus(202)
    @Operation(summary = "Start a run now for an ACTIVE MANUAL, ONE_TIME or RECURRING campaign; userIds narrows "
            + "it, data is available to templates as trigger")
    public Uni<SendResult> send(@PathParam("id") String id, SendRequest request) {
        return campaigns.get(id(id)).chain(campaign -> {
            if (campaign.status() != CampaignStatus.ACTIVE) {
                throw ProblemException.conflict("Campaign " + campaign.id() + " is " + campaign.status()
                        + "; start it before sending.");
            }
            if (campaign.delivery().deliveryType() == DeliveryType.TRIGGERED) {
                throw ProblemException.conflict("Campaign " + campaign.id() + " is TRIGGERED: it sends when its "
                        + "trigger fires. Use test-send to try it.");
            }
            return runs.send(campaign, request);
        });
    }

    @GET
    @Path("/{id}/runs")
    @Operation(summary = "A campaign's runs, newest first, with their deliveries counted by status")
    public Uni<Page<RunView>> runs(@PathParam("id") String id, @QueryParam("after") String after,
            @QueryParam("limit") String limit) {
        return campaigns.get(id(id)).chain(campaign -> runs.list(campaign.id(), after, Page.limit(limit)));
    }

    @POST
    @Path("/{id}/preview")
    @Operation(summary = "Render every action for a user, exactly as it would be sent; nothing is sent or stored")
    public Uni<PreviewResult> preview(@PathParam("id") String id, PreviewRequest request) {
        return campaigns.get(id(id)).chain(campaign -> previews.preview(campaign, request));
    }

    @POST
    @Path("/{id}/test-send")
    @Operation(summary = "Send the first action to its real URL now and answer with the response; recorded as a "
            + "delivery with test: true")
    public Uni<TestSendResult> testSend(@PathParam("id") String id, PreviewRequest request) {
        return campaigns.get(id(id)).chain(campaign -> previews.testSend(campaign, request));
    }

    @POST
    @Path("/{id}/deliveries/retry")
    @Operation(summary = "Send a campaign's FAILED deliveries again; narrow by reason and by since (when they "
            + "failed). Answers how many were put back to PENDING.")
    public Uni<ReplayResult> retryDeliveries(@PathParam("id") String id, ReplayRequest request) {
        return campaigns.get(id(id)).chain(campaign -> replays.retryAll(campaign.id(), request));
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
