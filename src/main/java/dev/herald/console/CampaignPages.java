package dev.herald.console;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

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

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.herald.campaign.Campaign;
import dev.herald.campaign.CampaignRequest;
import dev.herald.campaign.CampaignService;
import dev.herald.campaign.CampaignStatus;
import dev.herald.campaign.PlanType;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.delivery.RetryRequest;
import dev.herald.delivery.RetryService;
import dev.herald.delivery.StatsService;
import dev.herald.dispatch.PreviewRequest;
import dev.herald.dispatch.PreviewService;
import dev.herald.explain.ExplainService;
import dev.herald.platform.Ids;
import dev.herald.platform.Json;
import dev.herald.platform.ProblemException;
import dev.herald.platform.Sql;
import dev.herald.run.RunService;
import dev.herald.run.RunView;
import dev.herald.run.SendRequest;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;

/** The console's campaign pages: the list, the editor, one campaign, and what can be done to it. */
@Path(Console.BASE + "/campaigns")
@Produces(MediaType.TEXT_HTML)
public class CampaignPages {

    static final int PAGE_SIZE = 20;
    static final int RUNS_SHOWN = 10;
    static final String EXAMPLE = """
            {
              "name": "Welcome webhook",
              "audience": {"attribute": "plan", "op": "eq", "value": "pro"},
              "actions": [
                {"url": "https://example.com/hooks/{user.id}", "data": {"user": "{user.id}"}}
              ]
            }
            """;

    private final CampaignService campaigns;
    private final RunService runs;
    private final StatsService stats;
    private final RetryService retries;
    private final PreviewService previews;
    private final ExplainService explainer;
    private final Visitor visitor;
    private final Json json;
    private final Clock clock;

    public CampaignPages(CampaignService campaigns, RunService runs, StatsService stats, RetryService retries,
            PreviewService previews, ExplainService explainer, Visitor visitor, Json json, Clock clock) {
        this.campaigns = campaigns;
        this.runs = runs;
        this.stats = stats;
        this.retries = retries;
        this.previews = previews;
        this.explainer = explainer;
        this.visitor = visitor;
        this.json = json;
        this.clock = clock;
    }

    /** A campaign in the list, with its newest run. */
    @TemplateData
    public record Row(Campaign campaign, RunView lastRun, String successRate) {
    }

    /** An error of the definition, with the line of the editor it is about (null: the whole document). */
    @TemplateData
    public record Located(String field, String message, Integer line) {
    }

    /** The list's filters as the visitor set them. */
    @TemplateData
    public record Filters(String status, String type, String q) {
    }

    @GET
    public Uni<TemplateInstance> list(@RestQuery String status, @RestQuery String type, @RestQuery String q,
            @RestQuery String after, @RestQuery String notice) {
        String search = Console.given(q);
        return campaigns.list(Console.given(status), Console.given(type), search, after, PAGE_SIZE)
                .chain(page -> runs.newestOf(page.items().stream().map(Campaign::id).toList())
                        .map(newest -> page.items().stream().map(campaign -> {
                            RunView last = newest.get(campaign.id());
                            return new Row(campaign, last, last == null ? null : rate(last.deliveries()));
                        }).toList())
                        .map(rows -> Pages.campaigns(chrome("Campaigns", notice), rows,
                                new Filters(status, type, search), page.next(), statuses(), types())));
    }

    @GET
    @Path("/new")
    public TemplateInstance editor(@RestQuery String notice) {
        return Pages.editor(chrome("New campaign", notice), EXAMPLE, List.of(), null, null);
    }

    @POST
    public Uni<Response> create(@RestForm String csrf, @RestForm String definition) {
        visitor.requireCsrf(csrf);
        CampaignRequest request;
        try {
            request = json.mapper().readValue(definition == null ? "" : definition, CampaignRequest.class);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().item(editorWith(definition, List.of(new Located("(document)",
                    "is not valid JSON: " + e.getOriginalMessage()
                            + (e.getLocation() == null ? "" : " (column " + e.getLocation().getColumnNr() + ")"),
                    e.getLocation() == null ? null : e.getLocation().getLineNr())), null));
        }
        if (request == null) {
            return Uni.createFrom().item(editorWith(definition,
                    List.of(new Located("(document)", "is empty: write a campaign as a JSON object", null)), null));
        }
        return Uni.createFrom().deferred(() -> campaigns.create(request))
                .map(created -> Response.seeOther(Console.page("/campaigns/" + created.id(),
                        "Campaign created as a DRAFT. Start it when it is ready.")).build())
                .onFailure(ProblemException.class).recoverWithItem(failure -> {
                    ProblemException problem = (ProblemException) failure;
                    JsonLines lines = JsonLines.of(definition);
                    return editorWith(definition, problem.errors().stream()
                            .map(error -> new Located(error.field(), error.message(), lines.lineOf(error.field())))
                            .toList(), problem.errors().isEmpty() ? problem.getMessage() : null);
                });
    }

    private Response editorWith(String definition, List<Located> errors, String problem) {
        return Response.status(400).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(Pages.editor(chrome("New campaign", null), definition, errors, problem,
                        errors.isEmpty() ? null : errors.get(0).line())).build();
    }

    @GET
    @Path("/{id}")
    public Uni<TemplateInstance> campaign(@RestPath String id, @RestQuery String window, @RestQuery String runsAfter,
            @RestQuery String notice) {
        StatusChart.Window shown = StatusChart.Window.of(window);
        Instant now = Sql.millis(clock.instant());
        return campaigns.get(Ids.parse(id, "campaign")).chain(campaign -> Uni.combine().all()
                .unis(runs.list(campaign.id(), runsAfter, RUNS_SHOWN),
                        stats.stats(campaign.id(), campaign.createdAt(), List.of(campaign.actionIds()),
                                shown.since(now).toString(), null, shown.bucket.toString()))
                .asTuple()
                .map(found -> Pages.campaign(chrome(campaign.name(), notice), campaign.masked(),
                        pretty(campaign.masked()), found.getItem1().items(), found.getItem1().next(), found.getItem2(),
                        StatusChart.of(found.getItem2(), shown.bucket), shown.key,
                        Arrays.stream(StatusChart.Window.values()).map(w -> w.key).toList())));
    }

    @POST
    @Path("/{id}/start")
    public Uni<Response> start(@RestPath String id, @RestForm String csrf) {
        return move(id, csrf, campaigns::start, "Started: the campaign is ACTIVE.");
    }

    @POST
    @Path("/{id}/pause")
    public Uni<Response> pause(@RestPath String id, @RestForm String csrf) {
        return move(id, csrf, campaigns::pause, "Paused: pending deliveries wait until it is started again.");
    }

    @POST
    @Path("/{id}/finish")
    public Uni<Response> finish(@RestPath String id, @RestForm String csrf, @RestForm String confirm) {
        if (!"yes".equals(confirm)) {
            visitor.requireCsrf(csrf);
            return back(id, "Nothing was done: tick the box to confirm finishing the campaign.");
        }
        return move(id, csrf, campaigns::finish, "Finished: it sends nothing more, and pending deliveries were "
                + "cancelled.");
    }

    @POST
    @Path("/{id}/send")
    public Uni<Response> send(@RestPath String id, @RestForm String csrf, @RestForm String userIds) {
        visitor.requireCsrf(csrf);
        List<String> users = userIds == null || userIds.isBlank() ? null
                : Arrays.stream(userIds.split("[,\\s]+")).filter(u -> !u.isEmpty()).toList();
        return campaigns.get(Ids.parse(id, "campaign"))
                .chain(campaign -> Uni.createFrom().deferred(() -> runs.send(campaign, new SendRequest(users, null))))
                .map(sent -> "Run " + sent.runId() + " started" + (sent.audienceSize() == null
                        ? "; its audience is still being written." : " for " + sent.audienceSize() + " users."))
                .map(notice -> redirect("/campaigns/" + id, notice))
                .onFailure(ProblemException.class).recoverWithItem(failure -> redirect("/campaigns/" + id,
                        failure.getMessage()));
    }

    @POST
    @Path("/{id}/delete")
    public Uni<Response> delete(@RestPath String id, @RestForm String csrf, @RestForm String confirm) {
        visitor.requireCsrf(csrf);
        if (!"yes".equals(confirm)) {
            return back(id, "Nothing was deleted: tick the box to confirm.");
        }
        return Uni.createFrom().deferred(() -> campaigns.delete(Ids.parse(id, "campaign")))
                .map(done -> redirect("/campaigns", "The campaign and all its records were deleted."))
                .onFailure(ProblemException.class).recoverWithItem(failure -> redirect("/campaigns/" + id,
                        failure.getMessage()));
    }

    @POST
    @Path("/{id}/retry-failed")
    public Uni<Response> retryFailed(@RestPath String id, @RestForm String csrf) {
        visitor.requireCsrf(csrf);
        return Uni.createFrom().deferred(() -> retries.retryAll(Ids.parse(id, "campaign"),
                new RetryRequest(DeliveryStatus.FAILED.name(), null, null)))
                .map(result -> redirect("/campaigns/" + id, result.retried() == 0 ? "No failed delivery to retry."
                        : result.retried() + " failed deliveries will be sent again."))
                .onFailure(ProblemException.class).recoverWithItem(failure -> redirect("/campaigns/" + id,
                        failure.getMessage()));
    }

    @GET
    @Path("/{id}/explain")
    public Uni<TemplateInstance> explain(@RestPath String id, @RestQuery String userId) {
        return campaigns.get(Ids.parse(id, "campaign")).chain(campaign -> {
            if (userId == null || userId.isBlank()) {
                return Uni.createFrom().item(Pages.explain(chrome("Why? · " + campaign.name(), null), campaign, null,
                        null));
            }
            return Uni.createFrom().deferred(() -> explainer.explain(campaign, userId.trim()))
                    .map(explained -> Pages.explain(chrome("Why? · " + campaign.name(), null), campaign, explained,
                            null))
                    .onFailure(ProblemException.class).recoverWithItem(failure -> Pages.explain(
                            chrome("Why? · " + campaign.name(), null), campaign, null, failure.getMessage()));
        });
    }

    @GET
    @Path("/{id}/preview")
    public Uni<TemplateInstance> preview(@RestPath String id, @RestQuery String userId) {
        return campaigns.get(Ids.parse(id, "campaign")).chain(campaign -> {
            if (userId == null || userId.isBlank()) {
                return Uni.createFrom().item(Pages.preview(chrome("Preview · " + campaign.name(), null), campaign,
                        null, null, null, null));
            }
            return Uni.createFrom().deferred(() -> previews.preview(campaign,
                    new PreviewRequest(userId.trim(), null, null)))
                    .map(result -> Pages.preview(chrome("Preview · " + campaign.name(), null), campaign,
                            userId.trim(), result, null, null))
                    .onFailure(ProblemException.class).recoverWithItem(failure -> Pages.preview(
                            chrome("Preview · " + campaign.name(), null), campaign, userId.trim(), null, null,
                            failure.getMessage()));
        });
    }

    @POST
    @Path("/{id}/test-send")
    public Uni<TemplateInstance> testSend(@RestPath String id, @RestForm String csrf, @RestForm String userId) {
        visitor.requireCsrf(csrf);
        String user = userId == null ? "" : userId.trim();
        return campaigns.get(Ids.parse(id, "campaign")).chain(campaign -> Uni.createFrom()
                .deferred(() -> previews.testSend(campaign, new PreviewRequest(user, null, null)))
                .map(result -> Pages.preview(chrome("Test-send · " + campaign.name(), null), campaign, user, null,
                        result, null))
                .onFailure(ProblemException.class).recoverWithItem(failure -> Pages.preview(
                        chrome("Test-send · " + campaign.name(), null), campaign, user, null, null,
                        failure.getMessage())));
    }

    private Uni<Response> move(String id, String csrf, Function<UUID, Uni<Campaign>> moveTo, String done) {
        visitor.requireCsrf(csrf);
        return Uni.createFrom().deferred(() -> moveTo.apply(Ids.parse(id, "campaign")))
                .map(moved -> redirect("/campaigns/" + id, done))
                .onFailure(ProblemException.class).recoverWithItem(failure -> redirect("/campaigns/" + id,
                        failure.getMessage()));
    }

    private static Uni<Response> back(String id, String notice) {
        return Uni.createFrom().item(redirect("/campaigns/" + id, notice));
    }

    static Response redirect(String path, String notice) {
        URI to = Console.page(path, notice);
        return Response.seeOther(to).build();
    }

    private Chrome chrome(String title, String notice) {
        return new Chrome(title, "campaigns", visitor.csrf(), notice);
    }

    private String pretty(Campaign campaign) {
        try {
            return json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(campaign);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored campaign could not be written as JSON", e);
        }
    }

    /** Delivered of those that ended DELIVERED or FAILED, as a percentage; null before any ended. */
    static String rate(Map<String, Integer> counts) {
        int delivered = counts.getOrDefault(DeliveryStatus.DELIVERED.name(), 0);
        int failed = counts.getOrDefault(DeliveryStatus.FAILED.name(), 0);
        return delivered + failed == 0 ? null : Math.round(1000.0 * delivered / (delivered + failed)) / 10.0 + "%";
    }

    static List<String> statuses() {
        return Arrays.stream(CampaignStatus.values()).map(Enum::name).toList();
    }

    static List<String> types() {
        return Arrays.stream(PlanType.values()).map(Enum::name).toList();
    }


    /** Unknown ids and refused moves on these pages answer as a page, not as a problem document. */
    @ServerExceptionMapper
    Response problem(ProblemException problem) {
        return ErrorPage.of(problem, new Chrome("Not available", "campaigns", visitor.csrf(), null));
    }
}
