package dev.herald.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.herald.delivery.CampaignStats;
import dev.herald.delivery.DeliveryStatus;
import io.quarkus.qute.TemplateData;

/**
 * A campaign's deliveries over a window as stacked bars by status, and the success rate per
 * bucket as a line: drawn as SVG on the server, so the page needs no chart library.
 */
@TemplateData
public record StatusChart(int width, int height, List<Bar> bars, String ratePath, int max, String from, String to,
        boolean empty) {

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
                stats.until().toString(), stats.series().isEmpty());
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
