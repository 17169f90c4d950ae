package dev.herald.run;

import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.herald.campaign.CampaignService;
import dev.herald.campaign.CampaignStatus;
import dev.herald.campaign.PlanType;
import dev.herald.platform.Api;
import dev.herald.platform.Ids;
import dev.herald.platform.Page;
import dev.herald.platform.ProblemException;
import io.smallrye.mutiny.Uni;

/** A campaign's runs: sending one now, and reading them (contract section 2). */
@Path(Api.BASE + "/campaigns/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Campaigns")
public class RunResource {

    private final CampaignService campaigns;
    private final RunService runs;

    public RunResource(CampaignService campaigns, RunService runs) {
        this.campaigns = campaigns;
        this.runs = runs;
    }

    @POST
    @Path("/send")
    @ResponseStatus(202)
    @Operation(summary = "Start a run now for an ACTIVE MANUAL, ONE_TIME or RECURRING campaign; userIds narrows "
            + "it, data is available to templates as trigger",
            description = "Answers 202 once the run and its first chunk of users (herald.schedule.chunk-size) are "
                    + "stored, and sending starts then. Once the run is stored the send is accepted: if the first "
                    + "chunk fails, the answer is still 202 and the scheduler's next pass writes it. audienceSize is the number of entries when that chunk was "
                    + "the whole audience, else null: the run goes on writing, and GET .../runs shows its progress.")
    public Uni<SendResult> send(@PathParam("id") String id, SendRequest request) {
        return campaigns.get(id(id)).chain(campaign -> {
            if (campaign.status() != CampaignStatus.ACTIVE) {
                throw ProblemException.conflict("Campaign " + campaign.id() + " is " + campaign.status()
                        + "; start it before sending.");
            }
            if (campaign.plan().type() == PlanType.TRIGGERED) {
                throw ProblemException.conflict("Campaign " + campaign.id() + " is TRIGGERED: it sends when its "
                        + "trigger fires. Use test-send to try it.");
            }
            return runs.send(campaign, request);
        });
    }

    @GET
    @Path("/runs")
    @Operation(summary = "A campaign's runs, newest first: status (WRITING_USERS, IN_PROGRESS, COMPLETED, SKIPPED), "
            + "usersWritten so far, audienceSize once known, and deliveries counted by status")
    public Uni<Page<RunView>> runs(@PathParam("id") String id, @QueryParam("after") String after,
            @QueryParam("limit") String limit) {
        return campaigns.get(id(id)).chain(campaign -> runs.list(campaign.id(), after, Page.limit(limit)));
    }

    private static UUID id(String id) {
        return Ids.parse(id, "campaign");
    }
}
