package dev.herald.explain;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.herald.campaign.CampaignService;
import dev.herald.platform.Api;
import dev.herald.platform.Ids;
import dev.herald.platform.ProblemException;
import dev.herald.user.UserIds;
import io.smallrye.mutiny.Uni;

/** Why a user got, or did not get, a campaign's webhooks. */
@Path(Api.BASE + "/campaigns/{id}/explain")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Campaigns")
public class ExplainResource {

    private final CampaignService campaigns;
    private final ExplainService explainer;

    public ExplainResource(CampaignService campaigns, ExplainService explainer) {
        this.campaigns = campaigns;
        this.explainer = explainer;
    }

    @GET
    @Operation(summary = "Explain a campaign's outcome for one user, check by check",
            description = "Runs the engine's own checks for the user as of now: the campaign's status, the user, "
                    + "the audience tree with each node's value for this user (and whether runs, which select "
                    + "users in SQL, agree), the trigger and its where against the user's newest events, the "
                    + "per-user limit and the entries that count against it, quiet hours, the rate limit and each "
                    + "action's condition; then the user's newest deliveries of the campaign with their reasons, "
                    + "and a verdict: RECEIVED, ON_ITS_WAY, NOT_DELIVERED, WOULD_ENTER, WOULD_NOT_ENTER or "
                    + "UNKNOWN_USER. Each check is PASS or FAIL, WAIT (quiet hours now) or INFO.")
    public Uni<Explained> explain(@PathParam("id") String id, @QueryParam("userId") String userId) {
        if (userId == null || userId.isEmpty()) {
            throw ProblemException.invalid("userId", "is required: the id of the user to explain");
        }
        String problem = UserIds.problem(userId);
        if (problem != null) {
            throw ProblemException.invalid("userId", "must be a user id, which " + problem);
        }
        return campaigns.get(Ids.parse(id, "campaign")).chain(campaign -> explainer.explain(campaign, userId));
    }
}
