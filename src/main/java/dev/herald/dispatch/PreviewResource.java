package dev.herald.dispatch;

import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.herald.campaign.CampaignService;
import dev.herald.platform.Api;
import dev.herald.platform.Ids;
import io.smallrye.mutiny.Uni;

/** Preview and test-send of a campaign for one user (contract section 2). */
@Path(Api.BASE + "/campaigns/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Campaigns")
public class PreviewResource {

    private final CampaignService campaigns;
    private final PreviewService previews;

    public PreviewResource(CampaignService campaigns, PreviewService previews) {
        this.campaigns = campaigns;
        this.previews = previews;
    }

    @POST
    @Path("/preview")
    @Operation(summary = "Render every action for a user, exactly as it would be sent; nothing is sent or stored")
    public Uni<PreviewResult> preview(@PathParam("id") String id, PreviewRequest request) {
        return campaigns.get(id(id)).chain(campaign -> previews.preview(campaign, request));
    }

    @POST
    @Path("/test-send")
    @Operation(summary = "Send the first action to its real URL now and answer with the response; recorded as a "
            + "delivery with test: true")
    public Uni<TestSendResult> testSend(@PathParam("id") String id, PreviewRequest request) {
        return campaigns.get(id(id)).chain(campaign -> previews.testSend(campaign, request));
    }

    private static UUID id(String id) {
        return Ids.parse(id, "campaign");
    }
}
