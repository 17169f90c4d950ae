package dev.herald.support;

import static io.restassured.RestAssured.given;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Herald's management port in tests: health and the Prometheus metrics. */
public final class Management {

    /** {@code quarkus.management.test-port}. */
    public static final int PORT = 9001;

    private Management() {
    }

    /** The Prometheus text that {@code /q/metrics} serves on {@code port}. */
    public static String metrics(int port) {
        return given().port(port).get("/q/metrics").then().statusCode(200).extract().asString();
    }

    public static String metrics() {
        return metrics(PORT);
    }

    /**
     * The sum of the series named {@code name} whose labels include every {@code label="value"}
     * pair given (as {@code "status", "DELIVERED"}); 0 when there is none.
     */
    public static double value(String metrics, String name, String... labels) {
        double sum = 0;
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$", Pattern.MULTILINE)
                .matcher(metrics);
        while (m.find()) {
            String found = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= found.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all && !m.group(2).equals("NaN")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }
}
