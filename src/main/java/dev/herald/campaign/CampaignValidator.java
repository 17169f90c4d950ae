package dev.herald.campaign;

import java.util.List;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.audience.CriteriaParser;
import dev.herald.platform.Problems;

/**
 * Turns a campaign request into a parsed campaign's parts, filling in defaults: the plan
 * ({@link PlanCheck}), the limits and exit ({@link LimitsCheck}) and the actions
 * ({@link ActionCheck}). Every failure names its field, and all failures are reported at once.
 */
@Singleton
public class CampaignValidator {

    private final ActionCheck actionCheck;

    CampaignValidator(ActionCheck actionCheck) {
        this.actionCheck = actionCheck;
    }

    /** The request's content, checked and with defaults in place, ready to store. */
    public record Checked(String name, String description, Audience audience, SendPlan plan, Limits limits,
            ExitOn exitOn, List<Action> actions) {
    }

    /**
     * Checks a request. {@code existing} is the stored campaign on update: its action ids are
     * kept, and a masked signing secret sent back unchanged keeps the stored secret.
     */
    public Checked check(CampaignRequest request, Campaign existing) {
        Problems.Collector errors = new Problems.Collector();
        if (request == null) {
            errors.add("", "a JSON body is required");
            errors.throwIfAny();
        }
        String name = request.name() == null ? null : request.name().strip();
        if (name == null || name.isEmpty()) {
            errors.add("name", "is required");
        } else if (name.length() > 200) {
            errors.add("name", "must be at most 200 characters");
        }
        if (request.description() != null && request.description().length() > 2000) {
            errors.add("description", "must be at most 2000 characters");
        }
        CriteriaParser.parse(request.audience(), "audience", CriteriaParser.Use.AUDIENCE, errors);
        PlanFields delivery = request.delivery() == null ? PlanFields.manual() : request.delivery();
        delivery = PlanCheck.check(delivery, errors);
        LimitsCheck.checkLimits(request.limits(), errors);
        LimitsCheck.checkExitOn(request.exitOn(), errors);
        List<Action> actions = actionCheck.check(request.actions(), existing, errors);
        errors.throwIfAny();
        return new Checked(name, request.description(), Audience.of(request.audience()), SendPlan.of(delivery),
                Limits.of(request.limits()), ExitOn.of(request.exitOn()), actions);
    }

    static JsonNode nullIfJsonNull(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

}
