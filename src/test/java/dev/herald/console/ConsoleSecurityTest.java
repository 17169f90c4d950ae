package dev.herald.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.POST;

import org.jboss.resteasy.reactive.RestForm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.herald.support.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Who may use the console and from where: an admin key signs in for a signed, HttpOnly,
 * SameSite=Strict cookie; an ingest key cannot; a request that changes state must come from the
 * console's own origin and carry the session's token.
 */
@QuarkusTest
class ConsoleSecurityTest {

    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @TestHTTPResource("/")
    URL root;

    String origin;

    @BeforeEach
    void origin() {
        origin = "http://" + root.getAuthority();
    }

    private RequestSpecification browser() {
        return given().redirects().follow(false).header("Origin", origin);
    }

    private Response signIn(String key) {
        return browser().formParam("key", key).post("/console/sign-in");
    }

    private String session() {
        return signIn(Http.ADMIN_KEY).then().statusCode(303).extract().cookie(ConsoleSessions.COOKIE);
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as("the page carries a token").isTrue();
        return m.group(1);
    }

    @Test
    void pagesSendStrangersToSignIn() {
        browser().get("/console/campaigns").then().statusCode(303)
                .header("Location", endsWith("/console/sign-in?next=%2Fconsole%2Fcampaigns"));
        browser().cookie(ConsoleSessions.COOKIE, "4102444800.bm9uY2U.forged").get("/console/deliveries").then()
                .statusCode(303).header("Location", containsString("/console/sign-in"));
        given().redirects().follow(false).get("/console/sign-in").then().statusCode(200)
                .body(containsString("<label for=\"key\">Admin key</label>"));
    }

    /** The guard reads the path the router matched a page by, however the request wrote it. */
    @Test
    void aPageWrittenAnotherWayNeedsASessionToo() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (String path : List.of("/./console/campaigns", "//console/campaigns", "/%63onsole/campaigns",
                "/x/../console/deliveries")) {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(origin + path)).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).as(path).isEqualTo(303);
            assertThat(response.headers().firstValue("Location")).as(path).get().asString()
                    .contains("/console/sign-in");
        }
    }

    @Test
    void onlyAnAdminKeySignsIn() {
        signIn(Http.INGEST_KEY).then().statusCode(403).body(containsString("An ingest key cannot sign in"));
        signIn("not-a-key").then().statusCode(401).body(containsString("not an admin key"));
        Response signedIn = signIn(Http.ADMIN_KEY);
        signedIn.then().statusCode(303).header("Location", endsWith("/console/campaigns"));
        String setCookie = signedIn.getHeader("Set-Cookie");
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/console")
                .contains("Max-Age=28800").doesNotContain(Http.ADMIN_KEY);
        // Plain HTTP here: a Secure cookie would never come back. Behind a proxy that ends TLS, it is Secure.
        assertThat(setCookie).doesNotContain("Secure");
        assertThat(browser().header("X-Forwarded-Proto", "https").formParam("key", Http.ADMIN_KEY)
                .post("/console/sign-in").getHeader("Set-Cookie")).contains("Secure");

        Response campaigns = browser().cookie(ConsoleSessions.COOKIE, signedIn.getCookie(ConsoleSessions.COOKIE))
                .get("/console/campaigns");
        campaigns.then().statusCode(200);
        assertThat(campaigns.asString()).doesNotContain(Http.ADMIN_KEY);
        // No other site may frame the console, and nothing of it is cached.
        assertThat(campaigns.getHeader("Content-Security-Policy")).contains("frame-ancestors 'none'")
                .contains("default-src 'self'").contains("form-action 'self'");
        assertThat(campaigns.getHeader("X-Frame-Options")).isEqualTo("DENY");
        assertThat(campaigns.getHeader("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void signInSendsOnlyToConsolePages() {
        for (String next : List.of("//evil.example/console/", "https://evil.example", "/console/../api/v1/campaigns",
                "/console//evil.example")) {
            browser().formParam("key", Http.ADMIN_KEY).formParam("next", next).post("/console/sign-in").then()
                    .statusCode(303).header("Location", endsWith("/console/campaigns"));
        }
        browser().formParam("key", Http.ADMIN_KEY).formParam("next", "/console/deliveries?status=FAILED")
                .post("/console/sign-in").then().statusCode(303)
                .header("Location", endsWith("/console/deliveries?status=FAILED"));
    }

    @Test
    void aStateChangeNeedsTheConsolesOriginAndTheSessionsToken() {
        String session = session();
        String page = browser().cookie(ConsoleSessions.COOKIE, session).get("/console/campaigns/new").then()
                .statusCode(200).extract().asString();
        String token = csrf(page);
        String definition = "{\"name\": \"csrf\", \"actions\": [{\"url\": \"https://example.com/h\"}]}";

        // Another site's page posting with the visitor's cookie.
        given().redirects().follow(false).header("Origin", "https://evil.example")
                .cookie(ConsoleSessions.COOKIE, session).formParam("csrf", token).formParam("definition", definition)
                .post("/console/campaigns").then().statusCode(403).body(containsString("Cross-site"));
        given().redirects().follow(false).header("Referer", "https://evil.example/page")
                .cookie(ConsoleSessions.COOKIE, session).formParam("csrf", token).formParam("definition", definition)
                .post("/console/campaigns").then().statusCode(403);
        // The right origin, but no token, or another session's.
        browser().cookie(ConsoleSessions.COOKIE, session).formParam("definition", definition)
                .post("/console/campaigns").then().statusCode(403);
        String otherToken = csrf(browser().cookie(ConsoleSessions.COOKIE, session()).get("/console/campaigns/new")
                .then().extract().asString());
        browser().cookie(ConsoleSessions.COOKIE, session).formParam("csrf", otherToken)
                .formParam("definition", definition).post("/console/campaigns").then().statusCode(403);
        // No session at all.
        browser().formParam("csrf", token).formParam("definition", definition).post("/console/campaigns").then()
                .statusCode(403);

        browser().cookie(ConsoleSessions.COOKIE, session).formParam("csrf", token).formParam("definition", definition)
                .post("/console/campaigns").then().statusCode(303)
                .header("Location", containsString("/console/campaigns/"));
    }

    @Test
    void signingOutEndsTheCookie() {
        String session = session();
        String token = csrf(browser().cookie(ConsoleSessions.COOKIE, session).get("/console/campaigns").then()
                .extract().asString());
        Response out = browser().cookie(ConsoleSessions.COOKIE, session).formParam("csrf", token)
                .post("/console/sign-out");
        out.then().statusCode(303).header("Location", containsString("/console/sign-in"));
        assertThat(out.getHeader("Set-Cookie")).contains(ConsoleSessions.COOKIE + "=;").contains("Max-Age=0");
    }

    /** Every form handler but sign-in takes the session's token, so none can forget to check it. */
    @Test
    void everyConsolePostTakesTheToken() {
        for (Class<?> pages : List.of(CampaignPages.class, DeliveryPages.class, SignInPage.class)) {
            for (Method method : pages.getDeclaredMethods()) {
                if (!method.isAnnotationPresent(POST.class) || method.getName().equals("signIn")) {
                    continue;
                }
                assertThat(Arrays.stream(method.getParameters()).anyMatch(ConsoleSecurityTest::isCsrf))
                        .as("%s.%s takes the csrf form field", pages.getSimpleName(), method.getName()).isTrue();
            }
        }
    }

    private static boolean isCsrf(Parameter parameter) {
        RestForm form = parameter.getAnnotation(RestForm.class);
        return form != null && (form.value().equals("csrf") || form.value().isEmpty()
                && parameter.getName().equals("csrf"));
    }
}
