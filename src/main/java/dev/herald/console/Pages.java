package dev.herald.console;

import java.util.List;

import dev.herald.audience.Explanation;
import dev.herald.campaign.Campaign;
import dev.herald.delivery.AttemptView;
import dev.herald.delivery.CampaignStats;
import dev.herald.delivery.DeliveryView;
import dev.herald.delivery.RenderedRequest;
import dev.herald.dispatch.PreviewResult;
import dev.herald.dispatch.TestSendResult;
import dev.herald.event.TrackedEvent;
import dev.herald.explain.Explained;
import dev.herald.run.RunView;
import dev.herald.user.User;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;

/**
 * The console's pages, as templates checked against these parameters when Herald is built. The
 * classes the shared tags read without a declared type are named for Qute here, so that their
 * value resolvers are generated (no reflection, as a native image wants).
 */
@CheckedTemplate(basePath = "console")
@TemplateData(target = Explanation.class)
@TemplateData(target = RenderedRequest.class)
@TemplateData(target = AttemptView.class)
public final class Pages {

    private Pages() {
    }

    static native TemplateInstance signIn(Chrome chrome, String next, String error);

    static native TemplateInstance campaigns(Chrome chrome, List<CampaignPages.Row> rows, CampaignPages.Filters filters,
            String next, List<String> statuses, List<String> types);

    static native TemplateInstance editor(Chrome chrome, String definition, List<CampaignPages.Located> errors,
            String problem, Integer firstLine);

    static native TemplateInstance campaign(Chrome chrome, Campaign campaign, String definition, List<RunView> runs,
            String olderRuns, CampaignStats stats, StatusChart chart, String window, List<String> windows);

    static native TemplateInstance explain(Chrome chrome, Campaign campaign, Explained explained, String problem);

    static native TemplateInstance preview(Chrome chrome, Campaign campaign, String userId, PreviewResult preview,
            TestSendResult sent, String problem);

    static native TemplateInstance deliveries(Chrome chrome, List<DeliveryView> deliveries,
            DeliveryPages.Filters filters, String next, List<String> statuses);

    static native TemplateInstance delivery(Chrome chrome, DeliveryView delivery);

    static native TemplateInstance users(Chrome chrome, List<User> users, String q, String next);

    static native TemplateInstance user(Chrome chrome, User user, String attributes, List<TrackedEvent> events,
            List<DeliveryView> deliveries);

    static native TemplateInstance error(Chrome chrome, int status, String detail);

    static native TemplateInstance engine(Chrome chrome, EnginePage.Engine engine);
}
