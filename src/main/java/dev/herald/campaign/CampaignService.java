package dev.herald.campaign;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.delivery.DeliveryStore;
import dev.herald.platform.Ids;
import dev.herald.platform.Page;
import dev.herald.platform.ProblemException;
import dev.herald.platform.Sql;
import dev.herald.platform.Wakeups;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Creates, edits and moves campaigns through their lifecycle. Each write is one transaction,
 * opened here rather than by {@code @WithTransaction}: the trigger index is told of the change
 * after the commit, since it reads campaigns on a connection of its own.
 */
@ApplicationScoped
public class CampaignService {

    private final CampaignRepository campaigns;
    private final CampaignValidator validator;
    private final DeliveryStore deliveries;
    private final Wakeups wakeups;
    private final CampaignWatcher watcher;
    private final SigningConfig signing;
    private final Pool pool;
    private final Clock clock;

    public CampaignService(CampaignRepository campaigns, CampaignValidator validator, DeliveryStore deliveries,
            Wakeups wakeups, CampaignWatcher watcher, SigningConfig signing, Pool pool, Clock clock) {
        this.campaigns = campaigns;
        this.validator = validator;
        this.deliveries = deliveries;
        this.wakeups = wakeups;
        this.watcher = watcher;
        this.signing = signing;
        this.pool = pool;
        this.clock = clock;
    }

    /**
     * Gives an action a new signing secret. The old one keeps signing beside it for
     * {@code herald.signing.rotation-overlap}, so receivers can switch without losing a webhook.
     */
    public Uni<RotatedSecret> rotateSecret(UUID id, UUID actionId) {
        Instant now = now();
        String secret = Action.newSecret();
        return Panache.withTransaction(() -> campaigns.lock(id).chain(campaign -> {
            if (campaign == null) {
                throw notFound(id);
            }
            if (campaign.status() == CampaignStatus.FINISHED) {
                throw finished(id);
            }
            Action action = campaign.action(actionId);
            if (action == null) {
                throw ProblemException.notFound("action of campaign " + id, actionId.toString());
            }
            Map<UUID, List<RetiredSecret>> retired = new HashMap<>();
            campaign.retiredSecrets().forEach((actionKey, secrets) -> retired.put(actionKey,
                    secrets.stream().filter(r -> r.until().isAfter(now)).toList()));
            Instant until = null;
            if (action.signingSecret() != null) {
                until = now.plus(signing.rotationOverlap());
                List<RetiredSecret> forAction = new ArrayList<>(retired.getOrDefault(actionId, List.of()));
                forAction.add(new RetiredSecret(action.signingSecret(), until));
                retired.put(actionId, forAction);
            }
            List<Action> actions = campaign.actions().stream()
                    .map(a -> a.id().equals(actionId) ? a.withSecret(secret) : a).toList();
            Instant previousUntil = until;
            return campaigns.save(campaign.withSecrets(actions, retired, now))
                    .map(ignored -> new RotatedSecret(actionId, secret, previousUntil));
        })).call(watcher::changed);
    }

    /** Creates a DRAFT campaign; the answer shows the signing secrets this once. */
    public Uni<Campaign> create(CampaignRequest request) {
        CampaignValidator.Checked c = validator.check(request, null);
        Instant now = now();
        Campaign campaign = new Campaign(Ids.newId(), c.name(), c.description(), CampaignStatus.DRAFT, c.audience(),
                c.plan(), c.limits(), c.exitOn(), c.actions(), now, now, null, null, null, Map.of());
        return Panache.withTransaction(() -> campaigns.insert(campaign)).call(watcher::changed);
    }

    public Uni<Campaign> get(UUID id) {
        return campaigns.find(id).onItem().ifNull().failWith(() -> notFound(id));
    }

    public Uni<Page<Campaign>> list(String status, String type, String q, String after, int size) {
        CampaignStatus statusFilter = enumFilter("status", status, CampaignStatus.class);
        PlanType typeFilter = enumFilter("type", type, PlanType.class);
        return campaigns.list(statusFilter, typeFilter, q == null || q.isBlank() ? null : q, Page.afterId(after),
                size + 1).map(found -> Page.of(found, size, campaign -> campaign.id().toString()));
    }

    /**
     * Replaces a campaign's definition (not in FINISHED). Secrets sent in full are shown in the
     * answer, as the client already has them; the others stay masked.
     */
    public Uni<Campaign> replace(UUID id, CampaignRequest request) {
        Instant now = now();
        return Panache.withTransaction(() -> campaigns.lock(id).chain(existing -> {
            if (existing == null) {
                throw notFound(id);
            }
            if (existing.status() == CampaignStatus.FINISHED) {
                throw finished(id);
            }
            Campaign replaced = existing.replacedBy(validator.check(request, existing), now);
            // A pending fire time follows the new schedule; a plan that is no longer scheduled has none.
            Instant next = replaced.plan().scheduled() && existing.nextRunAt() != null
                    ? FireTimes.first(replaced.plan(), now)
                    : null;
            return campaigns.save(replaced.withNextRunAt(next));
        }))
                .call(watcher::changed)
                .map(saved -> revealSentSecrets(saved, request));
    }

    public Uni<Void> delete(UUID id) {
        return pool.withTransaction(conn -> campaigns.delete(conn, id)
                .call(deleted -> deleted ? deliveries.deleteOfCampaign(conn, id) : Uni.createFrom().voidItem()))
                // After the commit: a read meanwhile would have parsed it again.
                .invoke(deleted -> {
                    if (deleted) {
                        campaigns.forget(id);
                    }
                })
                .chain(deleted -> deleted ? watcher.changed()
                : get(id).map(existing -> {
                    throw ProblemException.conflict("Campaign " + id + " is " + existing.status()
                            + "; only DRAFT or FINISHED campaigns can be deleted. Finish it first.");
                }));
    }

    /**
     * Starts or resumes a campaign; held deliveries that are due go out at once. A scheduled
     * campaign gets its first fire time on its first start; a resume keeps the schedule, so a
     * fire time missed while paused is handled like any misfire.
     */
    public Uni<Campaign> start(UUID id) {
        Instant now = now();
        return transition(id, CampaignStatus.startableFrom(), "start", campaign -> {
            Campaign started = campaign.moved(CampaignStatus.ACTIVE, now);
            boolean firstStart = campaign.startedAt() == null;
            return started.plan().scheduled() && firstStart && started.nextRunAt() == null
                    ? started.withNextRunAt(FireTimes.first(started.plan(), now))
                    : started;
        }).invoke(wakeups::wakeAll);
    }

    public Uni<Campaign> pause(UUID id) {
        Instant now = now();
        return transition(id, CampaignStatus.pausableFrom(), "pause",
                campaign -> campaign.moved(CampaignStatus.PAUSED, now));
    }

    /** Finishes a campaign and cancels its pending deliveries, in one transaction. */
    public Uni<Campaign> finish(UUID id) {
        Instant now = now();
        return pool.withTransaction(conn -> campaigns.transition(conn, id, CampaignStatus.finishableFrom(),
                CampaignStatus.FINISHED, now)
                .call(done -> done == null ? Uni.createFrom().nullItem()
                        : deliveries.cancelPending(conn, id, now)))
                .chain(done -> done != null ? Uni.createFrom().item(done) : get(id).map(existing -> {
                    throw wrongMove(existing, "finish", CampaignStatus.finishableFrom());
                }))
                .call(watcher::changed);
    }

    /** Moves a campaign that is in one of {@code from}, its row locked while {@code move} decides. */
    private Uni<Campaign> transition(UUID id, Set<CampaignStatus> from, String verb,
            Function<Campaign, Campaign> move) {
        return Panache.withTransaction(() -> campaigns.lock(id).chain(campaign -> {
            if (campaign == null) {
                throw notFound(id);
            }
            if (!from.contains(campaign.status())) {
                throw wrongMove(campaign, verb, from);
            }
            return campaigns.save(move.apply(campaign));
        })).call(watcher::changed);
    }

    private static ProblemException wrongMove(Campaign campaign, String verb, Set<CampaignStatus> from) {
        return ProblemException.conflict("Campaign " + campaign.id() + " is " + campaign.status() + "; " + verb
                + " only works from " + String.join(" or ", from.stream().map(Enum::name).sorted().toList()) + ".");
    }

    private static Campaign revealSentSecrets(Campaign saved, CampaignRequest request) {
        Map<String, Boolean> sentInFull = new HashMap<>();
        if (request.actions() != null) {
            request.actions().stream()
                    .filter(a -> a != null && a.signingSecret() != null && !a.signingSecret().contains("…"))
                    .forEach(a -> sentInFull.put(a.signingSecret(), true));
        }
        List<Action> shown = saved.actions().stream()
                .map(a -> a.signingSecret() != null && sentInFull.containsKey(a.signingSecret())
                        ? a.secretShown()
                        : a.masked())
                .toList();
        return saved.withActions(shown);
    }

    private static <E extends Enum<E>> E enumFilter(String field, String value, Class<E> type) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid(field, "must be one of " + Arrays.toString(type.getEnumConstants()));
        }
    }

    private Instant now() {
        return Sql.millis(clock.instant());
    }

    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("campaign", id.toString());
    }

    private static ProblemException finished(UUID id) {
        return ProblemException.conflict("Campaign " + id + " is FINISHED and can no longer be edited.");
    }
}
