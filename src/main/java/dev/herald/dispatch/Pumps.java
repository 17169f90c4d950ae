package dev.herald.dispatch;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.delivery.DeliveryStore;

/** Builds pumps from the dispatcher's parts: this instance's, or one with guards of its own. */
@ApplicationScoped
public class Pumps {

    private final DeliveryStore deliveries;
    private final Preparation preparation;
    private final WebhookSender http;
    private final RetryPolicy retryPolicy;
    private final AttemptRecorder recorder;
    private final DeliveryMetrics metrics;
    private final DeliveryConfig config;
    private final Clock clock;

    public Pumps(DeliveryStore deliveries, Preparation preparation, WebhookSender http, RetryPolicy retryPolicy,
            AttemptRecorder recorder, DeliveryMetrics metrics, DeliveryConfig config, Clock clock) {
        this.deliveries = deliveries;
        this.preparation = preparation;
        this.http = http;
        this.retryPolicy = retryPolicy;
        this.recorder = recorder;
        this.metrics = metrics;
        this.config = config;
        this.clock = clock;
    }

    /** A pump whose requests go through {@code guards}. */
    Pump create(HostGuards guards) {
        return new Pump(deliveries, preparation, new Sender(guards, http, retryPolicy, recorder, deliveries, metrics,
                clock), config, clock);
    }

    /**
     * A pump with host guards of its own, as another instance of Herald over the same database
     * would run: what the multi-instance tests start beside this instance's.
     */
    public Pump another() {
        return create(new HostGuards(config, clock, metrics));
    }
}
