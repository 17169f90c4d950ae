package dev.herald.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.herald.delivery.CampaignStats;
import dev.herald.delivery.DeliveryStatus;
import io.quarkus.qute.TemplateData;

/**
 * A campaign's deliveries over a window as stacked bars by status, the success rate per bucket
 * as a line, and the answers' latency p50/p95/p99 per bucket as three lines: drawn as SVG on the
 * server, so the page needs no chart library.
 */
@TemplateData
public record StatusChart(int width, int height, List<Bar> bars, String ratePath, int max, String from, String to,
        boolean empty, Latency latency) {

    /** The latency lines, scaled to the slowest p99 of the window ({@code maxMs}). */
    @TemplateData
    public record Latency(String p50, String p95, String p99, long maxMs) {
    }

    /** One status's share of one bucket. */
    @TemplateData
    public record Bar(double x, double y, double width, double height, String status, String label) {
    }

    static final int WIDTH = 720;
    static final int HEIGHT = 200;
    private static final List<DeliveryStatus> SHOWN = List.of(DeliveryStatus.DELIVERED, DeliveryStatus.FAILED,
            DeliveryStatus.SKIPPED, DeliveryStatus.CANCELLED, DeliveryStatus.PENDING, DeliveryStatus.SENDING);

    static StatusChart of(CampaignStats stats, Duration bucket) {
        long buckets = Math.max(1, Duration.between(stats.since(), stats.until()).dividedBy(bucket) + 1);
        double slot = (double) WIDTH / buckets;
        int max = 1;
        for (CampaignStats.Bucket b : stats.series()) {
            max = Math.max(max, b.counts().values().stream().mapToInt(Integer::intValue).sum());
        }
        List<Bar> bars = new ArrayList<>();
        StringBuilder rate = new StringBuilder();
        for (CampaignStats.Bucket b : stats.series()) {
            double x = Duration.between(stats.since(), b.start()).dividedBy(bucket) * slot;
            double y = HEIGHT;
            for (DeliveryStatus status : SHOWN) {
                int n = b.counts().getOrDefault(status.name(), 0);
                if (n == 0) {
                    continue;
                }
                double h = (double) n / max * HEIGHT;
                y -= h;
                bars.add(new Bar(x + slot * 0.1, y, Math.max(1, slot * 0.8), h, status.name().toLowerCase(),
                        n + " " + status.name() + " from " + b.start()));
            }
            int delivered = b.counts().getOrDefault(DeliveryStatus.DELIVERED.name(), 0);
            int failed = b.counts().getOrDefault(DeliveryStatus.FAILED.name(), 0);
            if (delivered + failed > 0) {
                double ry = HEIGHT - (double) delivered / (delivered + failed) * HEIGHT;
                rate.append(rate.isEmpty() ? "M" : " L").append(round(x + slot / 2)).append(' ').append(round(ry));
            }
        }
        return new StatusChart(WIDTH, HEIGHT, bars, rate.toString(), max, stats.since().toString(),
                stats.until().toString(), stats.series().isEmpty(), latency(stats, bucket, slot));
    }

    private static Latency latency(CampaignStats stats, Duration bucket, double slot) {
        double max = stats.series().stream().map(b -> b.latencyMs().p99()).filter(v -> v != null)
                .mapToDouble(Double::doubleValue).max().orElse(0);
        if (max <= 0) {
            return null;
        }
        StringBuilder p50 = new StringBuilder();
        StringBuilder p95 = new StringBuilder();
        StringBuilder p99 = new StringBuilder();
        for (CampaignStats.Bucket b : stats.series()) {
            if (b.latencyMs().p50() == null) {
                continue;
            }
            double x = Duration.between(stats.since(), b.start()).dividedBy(bucket) * slot + slot / 2;
            point(p50, x, b.latencyMs().p50(), max);
            point(p95, x, b.latencyMs().p95(), max);
            point(p99, x, b.latencyMs().p99(), max);
        }
        return new Latency(p50.toString(), p95.toString(), p99.toString(), Math.round(max));
    }

    /** A line through a single point would not show: it starts with a short level stroke. */
    private static void point(StringBuilder path, double x, double value, double max) {
        String y = round(HEIGHT - value / max * (HEIGHT - 4));
        if (path.isEmpty()) {
            path.append('M').append(round(x - 3)).append(' ').append(y).append(" L");
        } else {
            path.append(" L");
        }
        path.append(round(x)).append(' ').append(y);
    }

    private static String round(double v) {
        return String.valueOf(Math.round(v * 10) / 10.0);
    }

    /** The windows the campaign page offers, and the bucket each is drawn with. */
    enum Window {
        HOUR("1h", Duration.ofHours(1), Duration.ofMinutes(5)),
        DAY("24h", Duration.ofDays(1), Duration.ofHours(1)),
        WEEK("7d", Duration.ofDays(7), Duration.ofHours(6)),
        MONTH("30d", Duration.ofDays(30), Duration.ofDays(1));

        final String key;
        final Duration length;
        final Duration bucket;

        Window(String key, Duration length, Duration bucket) {
            this.key = key;
            this.length = length;
            this.bucket = bucket;
        }

        static Window of(String key) {
            for (Window w : values()) {
                if (w.key.equals(key)) {
                    return w;
                }
            }
            return DAY;
        }

        Instant since(Instant now) {
            return now.minus(length);
        }
    }
}
