import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver for trying Herald by hand: prints every request it gets and answers 200.
 * Run it with the JDK alone: {@code java tools/EchoReceiver.java [port]} (default 9090).
 * With {@code --quiet} it only counts, for load tests.
 */
public class EchoReceiver {

    public static void main(String[] args) throws IOException {
        int port = 9090;
        boolean quiet = false;
        for (String arg : args) {
            if (arg.equals("--quiet")) {
                quiet = true;
            } else {
                port = Integer.parseInt(arg);
            }
        }
        boolean print = !quiet;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (print) {
                StringBuilder out = new StringBuilder();
                out.append(exchange.getRequestMethod()).append(' ').append(exchange.getRequestURI()).append('\n');
                exchange.getRequestHeaders().forEach((name, values) ->
                        out.append(name).append(": ").append(String.join(", ", values)).append('\n'));
                out.append('\n').append(new String(body, StandardCharsets.UTF_8)).append("\n----");
                System.out.println(out);
            }
            byte[] reply = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(reply);
            }
        });
        server.start();
        System.out.println("Receiving webhooks on http://127.0.0.1:" + port + "/");
    }
}
