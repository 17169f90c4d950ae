import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import com.sun.net.httpserver.HttpServer;

/**
 * Event-to-webhook latency for bench/ingest: sends events to Herald at a fixed rate, receives the
 * webhooks they trigger, and prints percentiles of the time from the event's 202 to the webhook's
 * arrival. JDK only: {@code java bench/TriggerLatency.java HERALD_URL KEY RATE SECONDS PORT}.
 * Each pass tags its events with a pass id, which the campaign's URL carries back
 * ({@code /t/{event.params.pass}/{event.params.seq}}), so that a late webhook of an earlier pass is
 * not taken for one of this pass. After the last event it waits up to a minute for webhooks
 * still on their way; those that never come are counted as missing.
 */
public class TriggerLatency {

    public static void main(String[] args) throws Exception {
        String herald = args[0];
        String key = args[1];
        int rate = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int port = Integer.parseInt(args[4]);
        int total = rate * seconds;
        String pass = Long.toString(System.nanoTime(), 36);
        AtomicLongArray accepted = new AtomicLongArray(total);
        AtomicLongArray arrived = new AtomicLongArray(total);
        AtomicInteger refused = new AtomicInteger();

        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        receiver.setExecutor(Executors.newFixedThreadPool(8));
        receiver.createContext("/t/", exchange -> {
            long now = System.nanoTime();
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            String[] path = exchange.getRequestURI().getPath().split("/");
            if (path.length == 4 && path[2].equals(pass)) {
                int seq = Integer.parseInt(path[3]);
                if (seq >= 0 && seq < total) {
                    arrived.compareAndSet(seq, 0, now);
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        long periodNanos = 1_000_000_000L / rate;
        ticker.scheduleAtFixedRate(() -> {
            int seq = next.getAndIncrement();
            if (seq >= total) {
                return;
            }
            String body = "{\"userId\":\"latency-" + (seq % 1000) + "\",\"event\":\"bench_trigger\","
                    + "\"params\":{\"pass\":\"" + pass + "\",\"seq\":" + seq + "}}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(herald + "/api/v1/events"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                if (failure == null && response.statusCode() == 202) {
                    accepted.set(seq, System.nanoTime());
                } else {
                    refused.incrementAndGet();
                }
            });
        }, 0, periodNanos, TimeUnit.NANOSECONDS);

        Thread.sleep(seconds * 1000L + 1000L);
        ticker.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !allArrived(accepted, arrived, total)) {
            Thread.sleep(100);
        }
        receiver.stop(0);

        long[] latencies = new long[total];
        int n = 0;
        int lost = 0;
        for (int i = 0; i < total; i++) {
            if (accepted.get(i) == 0) {
                continue;
            }
            if (arrived.get(i) == 0) {
                lost++;
                continue;
            }
            // A webhook can arrive before the client has read the 202: that counts as zero.
            latencies[n++] = Math.max(0, arrived.get(i) - accepted.get(i));
        }
        Arrays.sort(latencies, 0, n);
        System.out.printf("events sent %d, accepted %d, refused %d, webhooks missing %d%n", total,
                total - refused.get(), refused.get(), lost);
        System.out.printf("latency_ms p50 %.1f p95 %.1f p99 %.1f%n", pct(latencies, n, 50), pct(latencies, n, 95),
                pct(latencies, n, 99));
        System.exit(0);
    }

    private static boolean allArrived(AtomicLongArray accepted, AtomicLongArray arrived, int total) {
        for (int i = 0; i < total; i++) {
            if (accepted.get(i) != 0 && arrived.get(i) == 0) {
                return false;
            }
        }
        return true;
    }

    private static double pct(long[] sorted, int n, int p) {
        if (n == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(n - 1, (int) Math.ceil(p / 100.0 * n) - 1)] / 1_000_000.0;
    }
}
