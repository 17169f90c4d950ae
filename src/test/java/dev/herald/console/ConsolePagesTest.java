package dev.herald.console;

import static dev.herald.support.Campaigns.campaign;
import static dev.herald.support.Campaigns.webhook;
import static dev.herald.support.Http.send;
import static dev.herald.support.Users.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import java.net.URL;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.herald.support.Http;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** The console's pages that the browser test does not walk through, read as HTML. */
@QuarkusTest
class ConsolePagesTest {

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    @TestHTTPResource("/")
    URL root;

    String session;

    @BeforeEach
    void signIn() {
        session = given().redirects().follow(false).header("Origin", origin()).formParam("key", Http.ADMIN_KEY)
                .post("/console/sign-in").then().statusCode(303).extract().cookie(ConsoleSessions.COOKIE);
    }

    private String origin() {
        return "http://" + root.getAuthority();
    }

    private RequestSpecification page() {
        return given().redirects().follow(false).header("Origin", origin()).cookie(ConsoleSessions.COOKIE, session);
    }

    private String csrf() {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"")
                .matcher(page().get("/console/campaigns").then().extract().asString());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void previewShowsTheRequestAndTestSendTheAnswer() {
        Receiver receiver = receivers.fresh();
        String user = user("preview").with("first_name", "Ann <b>").put();
        String id = campaign("console preview", webhook(receiver.url("/preview/{user.id}"))
                .withData(java.util.Map.of("hello", "{user.first_name}"))).create();

        page().queryParam("userId", user).get("/console/campaigns/{id}/preview", id).then().statusCode(200)
                .body(containsString("/preview/" + user))
                // User data is escaped on the page, never markup.
                .body(containsString("Ann &lt;b&gt;")).body(not(containsString("Ann <b>")))
                .body(containsString("Nothing was sent"));
        assertThat(receiver.at("/preview/" + user)).isEmpty();

        page().formParam("csrf", csrf()).formParam("userId", user).post("/console/campaigns/{id}/test-send", id)
                .then().statusCode(200).body(containsString("DELIVERED")).body(containsString("answered 200"));
        assertThat(receiver.at("/preview/" + user)).hasSize(1);

        page().queryParam("userId", "nobody-" + System.nanoTime()).get("/console/campaigns/{id}/preview", id)
                .then().statusCode(200).body(containsString("class=\"error\""));
    }

    @Test
    void usersAreFoundByIdAndShowTheirDeliveries() {
        Receiver receiver = receivers.fresh();
        String user = user("console-user").with("plan", "pro").put();
        String id = campaign("console user", webhook(receiver.url("/user"))).start();
        send(id, List.of(user));
        receiver.await("/user", 1);

        page().queryParam("q", user.substring(0, 20)).get("/console/users").then().statusCode(200)
                .body(containsString(user));
        page().get("/console/users/{id}", user).then().statusCode(200).body(containsString("&quot;plan&quot;"))
                .body(containsString("/console/campaigns/" + id + "/explain?userId="));
        page().get("/console/users/{id}", "nobody-" + System.nanoTime()).then().statusCode(404)
                .body(containsString("class=\"error\""));
        page().get("/console/engine").then().statusCode(200).body(containsString(receiver.hostAndPort()));
    }

    @Test
    void unknownIdsAndBadFiltersAnswerAsPages() {
        page().get("/console/campaigns/{id}", "01234567-89ab-7def-8123-456789abcdef").then().statusCode(404)
                .contentType(containsString("text/html")).body(containsString("Not found"));
        page().get("/console/campaigns/{id}", "not-a-uuid").then().statusCode(404)
                .contentType(containsString("text/html"));
        page().get("/console/deliveries/{id}", "01234567-89ab-7def-8123-456789abcdef").then().statusCode(404)
                .body(containsString("No delivery has the id"));
        page().queryParam("reason", "NOT_A_REASON").get("/console/deliveries").then().statusCode(200)
                .body(containsString("A filter is not valid"));
        page().queryParam("reason", "permanent_status").get("/console/deliveries").then().statusCode(200)
                .body(not(containsString("A filter is not valid")));
    }

    @Test
    void aMoveTheCampaignCannotMakeIsExplainedOnItsPage() {
        String id = campaign("console move", webhook(receivers.fresh().url("/move"))).create();
        String csrf = csrf();
        String location = page().formParam("csrf", csrf).post("/console/campaigns/{id}/pause", id).then()
                .statusCode(303).extract().header("Location");
        page().get(location.replace(origin(), "")).then().statusCode(200).body(containsString("class=\"notice\""))
                .body(containsString("DRAFT"));
        // Deleting needs the confirmation box.
        page().formParam("csrf", csrf).post("/console/campaigns/{id}/delete", id).then().statusCode(303);
        page().get("/console/campaigns/{id}", id).then().statusCode(200);
        page().formParam("csrf", csrf).formParam("confirm", "yes").post("/console/campaigns/{id}/delete", id).then()
                .statusCode(303);
        page().get("/console/campaigns/{id}", id).then().statusCode(404);
    }

    @Test
    void aCampaignsRunsArePaged() {
        String user = user("paged").put();
        String id = campaign("console runs", webhook(receivers.fresh().url("/runs"))).start();
        for (int i = 0; i <= CampaignPages.RUNS_SHOWN; i++) {
            send(id, List.of(user));
        }
        String page = page().get("/console/campaigns/{id}", id).then().statusCode(200).extract().asString();
        Matcher older = Pattern.compile("href=\"(/console/campaigns/[^\"]+runsAfter=[^\"#]+)").matcher(page);
        assertThat(older.find()).as("an Older runs link").isTrue();
        String second = page().get(older.group(1).replace("&amp;", "&")).then().statusCode(200).extract().asString();
        assertThat(second.split("<td>MANUAL</td>", -1)).hasSize(2);
        assertThat(second).doesNotContain("Older runs");
    }
}
