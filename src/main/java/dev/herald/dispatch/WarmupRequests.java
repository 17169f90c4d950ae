package dev.herald.dispatch;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;

/**
 * Keeps the warm-up's own requests to the API out of the request metrics: the warm-up sends
 * them with a header whose value only this process knows, and their meters are dropped.
 */
@Singleton
public class WarmupRequests implements HttpServerMetricsTagsContributor {

    static final String HEADER = "Herald-Warm-Up";
    /** The tag that marks a warm-up request's meters, which are never registered. */
    private static final String TAG = "herald_warm_up";

    private final String token;

    public WarmupRequests() {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.token = HexFormat.of().formatHex(random);
    }

    /** What the warm-up's requests carry. */
    Map<String, String> headers() {
        return Map.of(HEADER, token);
    }

    @Override
    public Tags contribute(Context context) {
        return token.equals(context.request().getHeader(HEADER)) ? Tags.of(TAG, "true") : Tags.empty();
    }

    /** Drops the meters of warm-up requests before they are registered. */
    @Produces
    @Singleton
    MeterFilter dropWarmupRequests() {
        return MeterFilter.deny(id -> id.getTag(TAG) != null);
    }
}
