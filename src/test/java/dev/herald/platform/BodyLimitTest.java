package dev.herald.platform;

import static dev.herald.support.Http.ingest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;

/** A body over herald.http.max-body is a 413 problem however it is sent, before it is read whole. */
@QuarkusTest
class BodyLimitTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    /** Sizes over the 1 MiB limit, sent with a Content-Length. */
    @ParameterizedTest
    @ValueSource(ints = { 1_048_577, 3_000_000, 20_000_000 })
    void aDeclaredLengthOverTheLimitIsRefused(int size) {
        ingest().body(event(size)).post("/api/v1/events").then().statusCode(413)
                .contentType("application/problem+json").body("status", equalTo(413))
                .body("detail", containsString("herald.http.max-body"));
    }

    @ParameterizedTest
    @ValueSource(ints = { 1_048_577, 5_000_000, 200_000_000 })
    void aChunkedBodyOverTheLimitIsRefusedBeforeItIsReadWhole(int size) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> read(socket));
            long sent = sendChunked(socket.getOutputStream(), size);
            String response = answer.get(30, TimeUnit.SECONDS);
            assertThat(response).startsWith("HTTP/1.1 413").contains("application/problem+json")
                    .contains("herald.http.max-body");
            if (size > 50_000_000) {
                // The answer came, and the connection closed, long before the client was done.
                assertThat(sent).isLessThan(size / 4);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 10, 100_000 })
    void aChunkedBodyWithinTheLimitIsRead(int padding) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            byte[] body = ("{\"userId\": \"chunked-" + padding + "\", \"event\": \"e\", \"params\": {\"p\": \""
                    + "x".repeat(padding) + "\"}}").getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(head().getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < body.length; i += 8192) {
                byte[] chunk = Arrays.copyOfRange(body, i, Math.min(body.length, i + 8192));
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = read(socket);
            // Within the HTTP limit; the 64 KiB params rule then speaks for the larger one.
            assertThat(response).startsWith(padding < 65_000 ? "HTTP/1.1 202" : "HTTP/1.1 400");
        }
    }

    @org.junit.jupiter.api.Test
    void anEmptyChunkedBodyIsAnsweredAtOnce() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((head() + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The API reads it as no body: an event is required, so 400, and not a wait for data.
            assertThat(read(socket)).startsWith("HTTP/1.1 400");
        }
    }

    private static String event(int size) {
        return "{\"userId\": \"big\", \"event\": \"e\", \"params\": {\"p\": \"" + "x".repeat(size) + "\"}}";
    }

    private static String head() {
        return "POST /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer test-ingest-key\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    }

    /** Sends {@code size} bytes of a JSON event in 64 KiB chunks; stops when the server closes. */
    private static long sendChunked(OutputStream out, int size) {
        byte[] chunk = new byte[65_536];
        Arrays.fill(chunk, (byte) 'x');
        long sent = 0;
        try {
            out.write(head().getBytes(StandardCharsets.US_ASCII));
            byte[] start = "{\"userId\":\"u\",\"event\":\"e\",\"p\":\"".getBytes(StandardCharsets.US_ASCII);
            out.write((Integer.toHexString(start.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(start);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            while (sent < size) {
                out.write("10000\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                sent += chunk.length;
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // The server answered and closed the connection: what a refusal looks like.
        }
        return sent;
    }

    private static String read(Socket socket) {
        try (InputStream in = socket.getInputStream()) {
            byte[] buffer = new byte[4096];
            StringBuilder text = new StringBuilder();
            int n;
            while ((n = in.read(buffer)) > 0 && text.length() < 64_000) {
                text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                if (text.indexOf("\r\n\r\n") > 0 && text.indexOf("}") > 0) {
                    break;
                }
            }
            return text.toString();
        } catch (IOException e) {
            return "failed to read: " + e.getMessage();
        }
    }
}
