import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import com.sun.net.httpserver.HttpServer;

/**
 * Event-to-webhook latency for bench/ingest: sends events to Herald at a fixed rate, receives the
 * webhooks they trigger, and prints percentiles of the time from the event's 202 to the webhook's
 * arrival. JDK only: {@code java bench/TriggerLatency.java HERALD_URL KEY RATE SECONDS PORT}.
 * Each pass tags its events with a pass id, which the campaign's URL carries back
 * ({@code /t/{event.params.pass}/{event.params.seq}}), so that a late webhook of an earlier pass is
 * not taken for one of this pass. After the last event has been answered (when Herald answers
 * more slowly than the rate, later than scheduled: the first line says how long sending took) it
 * waits up to a minute for webhooks still on their way; those that never come are counted as missing.
 */
public class TriggerLatency {

    private static final int CONNECTIONS = 16;

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
        // Events posted and answered (202 or not); the last answer's time shows how far sending fell behind.
        AtomicInteger answered = new AtomicInteger();
        AtomicLong lastAnswer = new AtomicLong();

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
        warmItself(port);

        // Events go out on a few kept-alive connections written by hand: the JDK's HttpClient
        // took most of a core at 500 requests/s, which this two-core machine takes from Herald.
        URI uri = URI.create(herald);
        BlockingQueue<Integer> toSend = new LinkedBlockingQueue<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            Thread sender = new Thread(() -> sendEvents(uri, key, pass, toSend, accepted, refused, answered,
                    lastAnswer));
            sender.setDaemon(true);
            sender.start();
        }
        long started = System.nanoTime();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        long periodNanos = 1_000_000_000L / rate;
        ticker.scheduleAtFixedRate(() -> {
            int seq = next.getAndIncrement();
            if (seq < total) {
                toSend.add(seq);
            }
        }, 0, periodNanos, TimeUnit.NANOSECONDS);

        Thread.sleep(seconds * 1000L + 1000L);
        ticker.shutdownNow();
        // When Herald answers more slowly than the rate, events are still queued here: wait until
        // every one has been answered before waiting for webhooks, or the receiver would stop
        // while webhooks are still being sent to it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && answered.get() < total) {
            Thread.sleep(10);
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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
        System.out.printf("events sent %d of %d over %.1f s (scheduled %d s), accepted %d, refused %d,"
                + " webhooks missing %d%n", answered.get(), total, (lastAnswer.get() - started) / 1e9, seconds,
                answered.get() - refused.get(), refused.get(), lost);
        System.out.printf("latency_ms p50 %.1f p95 %.1f p99 %.1f%n", pct(latencies, n, 50), pct(latencies, n, 95),
                pct(latencies, n, 99));
        // The first events after a start pay for what is still cold; the hundredth is warm.
        System.out.printf("first_ms %.1f hundredth_ms %.1f%n", latency(accepted, arrived, 0),
                latency(accepted, arrived, 99));
        System.exit(0);
    }

    /**
     * Posts to its own receiver for a while, so that what this JVM does per event and per webhook
     * is compiled before Herald is measured: the first events after Herald starts are measured too.
     */
    private static void warmItself(int port) throws IOException {
        byte[] request = ("POST /t/warm/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < 2000; i++) {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
                readStatus(in);
            }
        }
    }

    /** Takes events off the queue and posts each on one kept-alive connection, reconnecting when it drops. */
    private static void sendEvents(URI herald, String key, String pass, BlockingQueue<Integer> toSend,
            AtomicLongArray accepted, AtomicInteger refused, AtomicInteger answered, AtomicLong lastAnswer) {
        Socket socket = null;
        InputStream in = null;
        while (true) {
            int seq;
            try {
                seq = toSend.take();
            } catch (InterruptedException e) {
                return;
            }
            byte[] body = ("{\"userId\":\"latency-" + (seq % 1000) + "\",\"event\":\"bench_trigger\","
                    + "\"params\":{\"pass\":\"" + pass + "\",\"seq\":" + seq + "}}").getBytes(StandardCharsets.UTF_8);
            byte[] head = ("POST /api/v1/events HTTP/1.1\r\nHost: " + herald.getHost() + "\r\nAuthorization: Bearer "
                    + key + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try {
                if (socket == null) {
                    socket = new Socket(herald.getHost(), herald.getPort());
                    socket.setTcpNoDelay(true);
                    in = new BufferedInputStream(socket.getInputStream());
                }
                OutputStream out = socket.getOutputStream();
                out.write(head);
                out.write(body);
                out.flush();
                if (readStatus(in) == 202) {
                    accepted.set(seq, System.nanoTime());
                } else {
                    refused.incrementAndGet();
                }
                lastAnswer.set(System.nanoTime());
                answered.incrementAndGet();
            } catch (IOException e) {
                refused.incrementAndGet();
                lastAnswer.set(System.nanoTime());
                answered.incrementAndGet();
                try {
                    if (socket != null) {
                        socket.close();
                    }
                } catch (IOException ignored) {
                    // Being replaced anyway.
                }
                socket = null;
            }
        }
    }

    /** Reads one response off the connection and gives its status; the body (Herald sends its length) is skipped. */
    private static int readStatus(InputStream in) throws IOException {
        String status = line(in);
        int length = 0;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(header.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return Integer.parseInt(status.split(" ")[1]);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static boolean allArrived(AtomicLongArray accepted, AtomicLongArray arrived, int total) {
        for (int i = 0; i < total; i++) {
            if (accepted.get(i) != 0 && arrived.get(i) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Event {@code seq}'s latency in milliseconds; NaN if it was not sent, refused or lost. */
    private static double latency(AtomicLongArray accepted, AtomicLongArray arrived, int seq) {
        if (seq >= accepted.length() || accepted.get(seq) == 0 || arrived.get(seq) == 0) {
            return Double.NaN;
        }
        return Math.max(0, arrived.get(seq) - accepted.get(seq)) / 1_000_000.0;
    }

    private static double pct(long[] sorted, int n, int p) {
        if (n == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(n - 1, (int) Math.ceil(p / 100.0 * n) - 1)] / 1_000_000.0;
    }
}
