package dev.herald.dispatch;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import dev.herald.campaign.Action;
import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.RenderedRequest;
import dev.herald.destination.ActionUrl;
import dev.herald.destination.DestinationPolicy;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientRequest;
import io.vertx.mutiny.core.http.HttpClientResponse;

/**
 * Sends one attempt of a webhook with the Vert.x HTTP client, without blocking: the stored
 * request plus this attempt's Standard Webhooks headers. Redirects are not followed.
 */
@Singleton
public class WebhookSender {

    static final int RESPONSE_BODY_LIMIT = 4096;
    private static final int RESPONSE_HEADERS_LIMIT = 64;

    private final HttpClient client;
    private final DestinationPolicy destinations;
    private final Clock clock;

    public WebhookSender(Vertx vertx, DestinationPolicy destinations, Clock clock, DeliveryConfig config) {
        this.destinations = destinations;
        this.clock = clock;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setMaxPoolSize(config.connectionsPerHost())
                .setKeepAlive(true)
                .setVerifyHost(true)
                .setTryUseCompression(false)
                .setDecompressionSupported(false));
    }

    @PreDestroy
    void close() {
        client.closeAndAwait();
    }

    /**
     * Checks the destination, then sends the request to the address that passed the check.
     * {@code secrets} sign it (one signature each, space-separated). The result is never a
     * failure: a refused destination, errors and timeouts are results too.
     */
    public Uni<AttemptResult> send(String deliveryId, RenderedRequest request, String credentials,
            List<String> secrets, Duration timeout) {
        Instant startedAt = Sql.millis(clock.instant());
        String host;
        try {
            host = ActionUrl.parse(request.url()).host();
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(AttemptResult.notBuilt(startedAt, "invalid URL"));
        }
        return destinations.resolve(host)
                .chain(target -> send(deliveryId, request, credentials, secrets, timeout, target.address()))
                .onFailure(DestinationPolicy.Blocked.class)
                .recoverWithItem(e -> AttemptResult.blocked(startedAt, e.getMessage()))
                .onFailure().recoverWithItem(e -> AttemptResult.error(startedAt, 0, describe(e), false));
    }

    /**
     * One signed request through the client to {@code url} on this machine (the instance's own
     * server), with {@code headers} besides its content type, so that the first webhook finds
     * the client warm; the answer does not matter.
     */
    Uni<AttemptResult> warm(String url, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", "application/json");
        RenderedRequest request = new RenderedRequest("POST", url, all, "{}");
        return send("msg_warm-up", request, null, List.of(Action.newSecret()), Duration.ofSeconds(5),
                InetAddress.getLoopbackAddress());
    }

    private Uni<AttemptResult> send(String deliveryId, RenderedRequest request, String credentials,
            List<String> secrets, Duration timeout, InetAddress address) {
        Instant startedAt = Sql.millis(clock.instant());
        long start = System.nanoTime();
        RequestOptions options;
        try {
            options = new RequestOptions()
                    .setAbsoluteURI(request.url())
                    .setMethod(HttpMethod.valueOf(request.method()))
                    .setFollowRedirects(false)
                    .setConnectTimeout(timeout.toMillis());
            // Connect to the address that was checked; Host and TLS server name stay the URL's.
            options.setServer(SocketAddress.inetSocketAddress(options.getPort(), address.getHostAddress()));
        } catch (RuntimeException e) {
            return Uni.createFrom().item(AttemptResult.notBuilt(startedAt, "invalid URL: " + e.getMessage()));
        }
        try {
            request.headers().forEach(options::putHeader);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(AttemptResult.notBuilt(startedAt, describe(e)));
        }
        if (credentials != null) {
            options.putHeader("Authorization", "Basic " + credentials);
        }
        long timestamp = startedAt.getEpochSecond();
        options.putHeader("webhook-id", deliveryId);
        options.putHeader("webhook-timestamp", Long.toString(timestamp));
        if (!secrets.isEmpty()) {
            StringBuilder signatures = new StringBuilder();
            for (String secret : secrets) {
                if (signatures.length() > 0) {
                    signatures.append(' ');
                }
                signatures.append(Signer.sign(secret, deliveryId, timestamp, request.body()));
            }
            options.putHeader("webhook-signature", signatures.toString());
        }

        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        return client.request(options)
                .invoke(sent::set)
                .chain(r -> request.body() == null ? r.send() : r.send(Buffer.buffer(request.body())))
                .chain(response -> readBody(response).map(body -> AttemptResult.response(startedAt, elapsed(start),
                        response.statusCode(), headers(response), body)))
                .ifNoItem().after(timeout).failWith(TimeoutException::new)
                .onFailure().recoverWithItem(e -> {
                    HttpClientRequest r = sent.get();
                    if (r != null) {
                        r.reset();
                    }
                    if (e instanceof IllegalArgumentException) {
                        // The client refused to encode the request (a header value it will not write).
                        return AttemptResult.notBuilt(startedAt, describe(e));
                    }
                    boolean timedOut = e instanceof TimeoutException
                            || (e.getMessage() != null && e.getMessage().contains("timed out"));
                    String error = timedOut ? "timed out after " + timeout.toMillis() + " ms" : describe(e);
                    return AttemptResult.error(startedAt, elapsed(start), error, timedOut);
                });
    }

    private static Uni<String> readBody(HttpClientResponse response) {
        return response.toMulti()
                .collect().in(Buffer::buffer, (acc, chunk) -> {
                    int room = RESPONSE_BODY_LIMIT - acc.length();
                    if (room > 0) {
                        acc.appendBuffer(chunk.length() <= room ? chunk : chunk.getBuffer(0, room));
                    }
                })
                .map(buffer -> buffer.toString(StandardCharsets.UTF_8));
    }

    /** Response headers, names in lower case, repeated headers joined with commas. */
    private static Map<String, String> headers(HttpClientResponse response) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : response.headers()) {
            if (out.size() >= RESPONSE_HEADERS_LIMIT) {
                break;
            }
            out.merge(header.getKey().toLowerCase(Locale.ROOT), header.getValue(), (a, b) -> a + ", " + b);
        }
        return out;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        String kind = e.getClass().getSimpleName().replaceAll("(Exception|Error)$", "");
        if (message == null || message.isBlank()) {
            return "connection failed (" + kind + ")";
        }
        return message.length() > 500 ? message.substring(0, 500) : message;
    }

    private static int elapsed(long start) {
        return (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - start) / 1_000_000);
    }
}
