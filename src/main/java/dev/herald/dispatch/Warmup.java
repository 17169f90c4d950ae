package dev.herald.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.herald.campaign.Action;
import dev.herald.campaign.Campaign;
import dev.herald.campaign.CampaignRepository;
import dev.herald.campaign.SendPlan;
import dev.herald.delivery.Claimed;
import dev.herald.delivery.DeliveryStore;
import dev.herald.delivery.RenderedRequest;
import dev.herald.event.EventService;
import dev.herald.platform.Api;
import dev.herald.platform.Ids;
import dev.herald.platform.Json;
import dev.herald.user.User;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Makes the first webhooks after a start as fast as the later ones, and holds readiness until
 * then: renders and signs the live campaigns' actions, opens every database connection the pool
 * may hold and rehearses the first events' statements on each, and makes pump passes that change
 * nothing, each sending requests through the webhook client to this instance's own HTTP server,
 * one of them through the API's REST layer, and hands the dispatcher made-up deliveries that
 * reach no row. Before it, the first event after a start reached its webhook in 270 to 400 ms,
 * the hundredth in 6 to 13 ms (bench/RESULTS.md).
 */
@Readiness
@ApplicationScoped
public class Warmup implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(Warmup.class);
    /** Pump passes made before ready. */
    private static final int PASSES = 50;
    /** Claims a pass prepares at the most, as a real pass does. */
    private static final int CLAIMED = 200;
    /** Renderings and signatures, over the live actions in turn: enough for the JIT to compile what a send runs. */
    private static final int RENDERINGS = 2_000;
    /** Passes that also hand the dispatcher a made-up delivery ({@link #handOver}). */
    private static final int HANDED_OVER = 3;
    /** Readiness is not held longer than this: a warm-up that cannot finish must not keep an instance out. */
    private static final Duration MOST = Duration.ofSeconds(20);

    private final Pool pool;
    private final CampaignRepository campaigns;
    private final DeliveryStore deliveries;
    private final Preparation preparation;
    private final RequestRenderer renderer;
    private final HostGuards guards;
    private final WebhookSender sender;
    private final EventService events;
    private final Dispatcher dispatcher;
    private final WarmupRequests requests;
    private final Json json;
    private final Clock clock;
    private final AtomicReference<String> outcome = new AtomicReference<>();

    public Warmup(Pool pool, CampaignRepository campaigns, DeliveryStore deliveries, Preparation preparation,
            RequestRenderer renderer, HostGuards guards, WebhookSender sender, EventService events,
            Dispatcher dispatcher, WarmupRequests requests, Json json, Clock clock) {
        this.pool = pool;
        this.campaigns = campaigns;
        this.deliveries = deliveries;
        this.preparation = preparation;
        this.renderer = renderer;
        this.guards = guards;
        this.sender = sender;
        this.events = events;
        this.dispatcher = dispatcher;
        this.requests = requests;
        this.json = json;
        this.clock = clock;
    }

    /** Starts with the application; the HTTP servers already listen by then. */
    void start(@Observes StartupEvent event) {
        long start = System.nanoTime();
        warmUp()
                .ifNoItem().after(MOST).fail()
                .subscribe().with(
                        ignored -> outcome.set("warm in " + (System.nanoTime() - start) / 1_000_000 + " ms"),
                        failure -> {
                            LOG.warnf("Warm-up did not finish (%s); ready without it", failure.toString());
                            outcome.set("not warmed: " + failure);
                        });
    }

    /** All of the warm-up, over the campaigns live now (tests run it again). */
    Uni<Void> warmUp() {
        String origin = "http://127.0.0.1:" + ownPort();
        return campaigns.findUnfinished()
                .call(live -> Uni.createFrom().item(() -> render(live))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .chain(live -> {
                    List<String> triggers = eventTriggers(live);
                    return everyConnection(triggers).chain(() -> Multi.createFrom().range(0, PASSES)
                            .onItem().transformToUniAndConcatenate(i -> pass(live, triggers, origin, i))
                            .collect().last());
                })
                .replaceWithVoid();
    }

    private static int ownPort() {
        String name = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return ConfigProvider.getConfig().getOptionalValue(name, Integer.class).orElse(8080);
    }

    /**
     * Opens as many database connections as the pool may hold, all at once, and rehearses on
     * each the statements of the first events ({@link EventService#rehearseOn}), so that the
     * first event finds them ready whichever connection it takes; the live triggers take the
     * connections in turn. The first event once took a connection that had not sent them: its
     * statements were parsed there in 11 ms, the next events' nowhere (bench/RESULTS.md).
     */
    private Uni<Void> everyConnection(List<String> triggers) {
        int connections = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.datasource.reactive.max-size", Integer.class).orElse(20);
        return Multi.createFrom().range(0, connections)
                .onItem().transformToUniAndMerge(i -> pool.withConnection(conn -> events.rehearseOn(conn,
                        triggers.isEmpty() ? null : triggers.get(i % triggers.size()))))
                .collect().last().replaceWithVoid();
    }

    /**
     * What a pump pass does, with nothing to change: a claim at a time before anything was due,
     * the preparation of a claim of each live action (alternately for a user that does not
     * exist, which reads what a real one reads and is skipped, and as handed over after an
     * event, with a made-up user and event, which renders), and two requests through the
     * warm-up's guard: one to this server's {@code /q/warm-up}, one to the API's events path
     * without a key (a 401, kept out of the request metrics by {@link WarmupRequests}); then an
     * event of one of {@code triggers}, rolled back ({@link EventService#rehearse}). The first
     * passes also hand the dispatcher a made-up delivery ({@link #handOver}).
     */
    private Uni<Void> pass(List<Campaign> live, List<String> triggers, String origin, int pass) {
        String self = origin + "/q/warm-up";
        String api = origin + Api.BASE + "/events";
        // One a pass, in turn: what warms is how often the path runs, and many live triggers
        // must not make the warm-up longer.
        Uni<Void> rehearsal = triggers.isEmpty() ? Uni.createFrom().voidItem()
                : events.rehearse(triggers.get(pass % triggers.size()));
        Instant now = clock.instant();
        boolean handedOver = pass % 2 == 1;
        String event = handedOver ? json.write(Map.of("name", "warm-up", "time", now.toString(), "params", Map.of()))
                : null;
        List<Claimed> claims = live.stream().flatMap(campaign -> campaign.actions().stream()
                .map(action -> new Claimed(Ids.newId(), campaign.id(), Ids.newId(), "warm-up", "warm-up", action.id(), 0,
                        1, now, null, null, null, event, false)))
                .limit(CLAIMED)
                .toList();
        User madeUp = new User("warm-up", json.mapper().createObjectNode(), now, now);
        Preparation.Known known = handedOver
                ? new Preparation.Known(Map.of(), claims.stream().collect(Collectors.toMap(Claimed::id, c -> madeUp)))
                : Preparation.Known.NOTHING;
        if (pass < HANDED_OVER) {
            handOver(live, self, madeUp, now);
        }
        return deliveries.claim(Instant.EPOCH, Instant.EPOCH, 1, DeliveryStore.HostRoom.any(1))
                .chain(() -> preparation.prepare(claims, known))
                .chain(() -> guards.warm(() -> sender.warm(self, Map.of())))
                // The API's path for an event, refused for want of a key: the REST layer's
                // response and its request metrics, which the first event's 202 would otherwise
                // run first, ahead of its hand-over on the same event loop.
                .chain(() -> guards.warm(() -> sender.warm(api, requests.headers())))
                .chain(() -> rehearsal)
                .replaceWithVoid();
    }

    /**
     * Hands the dispatcher a made-up delivery of a live action, as a triggering event's commit
     * does, already rendered as a request to this instance's own server: the first real
     * hand-over then runs no call site for the first time (before it, a hand-over's first run
     * linked some sixty lambdas between an event's 202 and its webhook). No row has the
     * delivery's id, so its outcome is recorded nowhere and counted in no metric; it goes
     * through the warm-up's own guard, so no host is added to this instance's; where loopback is
     * not an allowed network (prod), the request is refused as a blocked destination and nothing
     * is sent.
     */
    private void handOver(List<Campaign> live, String self, User madeUp, Instant now) {
        live.stream().filter(campaign -> !campaign.actions().isEmpty()).findFirst().ifPresent(campaign -> {
            Action action = campaign.actions().get(0);
            RenderedRequest request = new RenderedRequest("POST", self, Map.of("Content-Type", "application/json"),
                    "{}");
            Claimed claim = new Claimed(Ids.newId(), campaign.id(), Ids.newId(), "warm-up", HostGuards.WARM_UP,
                    action.id(), 0, 1, now, request, null, null, null, true);
            dispatcher.take(List.of(claim), campaign, madeUp);
        });
    }

    /** The event names that live campaigns are triggered by. */
    private static List<String> eventTriggers(List<Campaign> live) {
        return live.stream()
                .map(campaign -> campaign.plan() instanceof SendPlan.Triggered triggered
                        && triggered.trigger() instanceof SendPlan.OnEvent on ? on.event() : null)
                .filter(Objects::nonNull).distinct().toList();
    }

    /**
     * Renders and signs the live actions in turn for a user with no attributes; a template that
     * needs one fails here, and is still compiled.
     */
    private Void render(List<Campaign> live) {
        List<Map.Entry<Campaign, Action>> actions = live.stream()
                .flatMap(campaign -> campaign.actions().stream().map(action -> Map.entry(campaign, action)))
                .toList();
        String secret = Action.newSecret();
        for (int i = 0; !actions.isEmpty() && i < RENDERINGS; i++) {
            Map.Entry<Campaign, Action> next = actions.get(i % actions.size());
            try {
                RenderContext context = new RenderContext("warm-up", Map.of(), Map.of(), Map.of(), Ids.newId(),
                        clock.instant());
                RenderedRequest request = renderer.render(next.getKey(), next.getValue(), context).request();
                json.write(request);
                Signer.sign(secret, "msg_warm-up", 0, request.body());
            } catch (RuntimeException e) {
                // What a user's attributes would have filled in is missing here.
            }
        }
        return null;
    }

    @Override
    public HealthCheckResponse call() {
        String done = outcome.get();
        return HealthCheckResponse.named("warm-up").status(done != null)
                .withData("state", done == null ? "warming" : done).build();
    }
}
