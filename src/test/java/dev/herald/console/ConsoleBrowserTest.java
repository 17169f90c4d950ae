package dev.herald.console;

import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.herald.support.Http;
import dev.herald.support.Receiver;
import dev.herald.support.Receivers;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The console in a real browser (Debian's headless Chromium, driven through its chromedriver):
 * an admin signs in, creates a campaign, starts it, sends it to two users, watches both
 * deliveries, opens the failed one, replays it, asks why a third user got nothing, and signs
 * out; a page on another site cannot make the browser change anything. Screenshots of each
 * page go to {@code herald.screenshots} (default target/screenshots; the README's are in
 * docs/console).
 */
@QuarkusTest
class ConsoleBrowserTest {

    static final Path CHROMIUM = Path.of(System.getProperty("herald.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("herald.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of(System.getProperty("herald.screenshots", "target/screenshots"));

    @RegisterExtension
    static final Receivers receivers = new Receivers();

    static WebDriver browser;

    @TestHTTPResource("/")
    URL root;

    @BeforeAll
    static void openBrowser() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver); .ci/run "
                        + "installs them");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--lang=en-GB", "--force-device-scale-factor=1",
                // The test machines have no outside network; Chromium's own calls home only add noise.
                "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .build(), options);
        browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(5));
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private void open(String path) {
        browser.get(root.toString().replaceAll("/$", "") + path);
    }

    private static WebElement find(String css) {
        return browser.findElement(By.cssSelector(css));
    }

    private static String text(String css) {
        return find(css).getText();
    }

    private static void type(String css, String value) {
        WebElement field = find(css);
        field.clear();
        field.sendKeys(value);
    }

    /** Puts a long value into a field at once rather than key by key. */
    private static void fill(String css, String value) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1]", find(css), value);
    }

    /**
     * Clicks what leads to another page, and waits until the browser shows a new document. The old
     * document is marked with a script variable rather than watched as an element: asked about an
     * element while its page is being replaced, chromedriver may answer with an "unknown error"
     * instead of a stale element, which a staleness wait does not expect.
     */
    private static void go(WebElement target) {
        JavascriptExecutor script = (JavascriptExecutor) browser;
        script.executeScript("window.heraldLeaving = true");
        target.click();
        new WebDriverWait(browser, Duration.ofSeconds(10))
                .ignoring(WebDriverException.class)
                .until(d -> Boolean.TRUE.equals(script.executeScript(
                        "return window.heraldLeaving === undefined && document.readyState !== 'loading'")));
    }

    private static void go(String css) {
        go(find(css));
    }

    private static void until(String css, String expected) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
            browser.navigate().refresh();
            return browser.findElements(By.cssSelector(css)).stream().anyMatch(e -> e.getText().contains(expected));
        });
    }

    private static void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void anAdminRunsACampaignFromTheConsole() throws IOException {
        Receiver receiver = receivers.fresh();
        String tag = "browser-" + System.nanoTime();
        String ann = user("ann").with("tag", tag).with("plan", "pro").put();
        String bob = user("bob").with("tag", tag).with("plan", "pro").put();
        String carl = user("carl").with("tag", tag).with("plan", "free").put();
        receiver.reply("/hooks/" + bob, r -> new Receiver.Reply(404, Map.of("Content-Type", "text/plain"),
                "no such customer"));

        // Signing in: a page asked for first comes back after it.
        open("/console/campaigns");
        assertThat(browser.getCurrentUrl()).contains("/console/sign-in");
        screenshot("sign-in");
        type("#key", Http.INGEST_KEY);
        go("form button[type=submit]");
        assertThat(text("#sign-in-error")).contains("ingest key cannot sign in");
        type("#key", Http.ADMIN_KEY);
        go("form button[type=submit]");
        assertThat(browser.getCurrentUrl()).endsWith("/console/campaigns");

        // Creating: the API's errors are shown by field, then a fixed definition is saved.
        go(browser.findElement(By.linkText("New campaign")));
        fill("#definition", "{\"name\": \"Browser campaign\",\n \"actions\": [\n  {\"url\": \"ftp://example.com\"}]}");
        go("form.stack button[type=submit]");
        assertThat(text("#errors")).contains("actions[0].url").contains("must use http or https").contains("line 3");
        // The editor opens with the first error's line selected.
        Object selected = ((JavascriptExecutor) browser).executeScript(
                "const e = document.getElementById('definition'); return e.value.substring(e.selectionStart, e.selectionEnd)");
        assertThat((String) selected).contains("ftp://example.com");
        screenshot("editor-errors");
        fill("#definition", "{\"name\": \"Browser campaign " + tag + "\",\n"
                + " \"audience\": {\"all\": [{\"attribute\": \"tag\", \"op\": \"eq\", \"value\": \"" + tag + "\"},"
                + " {\"attribute\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}]},\n"
                + " \"actions\": [{\"url\": \"" + receiver.url("/hooks/{user.id}") + "\","
                + " \"headers\": {\"Authorization\": \"Bearer receiver-secret\"},"
                + " \"data\": {\"user\": \"{user.id}\"}}]}");
        go("form.stack button[type=submit]");
        assertThat(text("#campaign-status")).isEqualTo("DRAFT");
        String campaignPage = browser.getCurrentUrl().replaceAll("\\?.*", "");
        String campaignId = campaignPage.substring(campaignPage.lastIndexOf('/') + 1);

        // Starting and sending to two users.
        go("#start");
        assertThat(text("#campaign-status")).isEqualTo("ACTIVE");
        type("#send-users", ann + ", " + bob);
        go("#send");
        assertThat(text(".notice")).contains("started for 2 users");
        receiver.await("/hooks/" + ann, 1);
        receiver.await("/hooks/" + bob, 1);

        // Both deliveries appear in the log.
        open("/console/deliveries?campaignId=" + campaignId);
        until("#deliveries-table", "DELIVERED");
        until("#deliveries-table", "FAILED");
        assertThat(browser.findElements(By.cssSelector("#deliveries-table tbody tr"))).hasSize(2);
        screenshot("deliveries");

        // The failed one: its request with the credential masked, its attempt, and a replay.
        open("/console/deliveries?campaignId=" + campaignId + "&status=FAILED");
        go("#deliveries-table tbody tr td a");
        assertThat(text("#delivery-status")).isEqualTo("FAILED");
        assertThat(text(".request-text")).contains("/hooks/" + bob).doesNotContain("receiver-secret");
        assertThat(text("#attempt-list")).contains("Attempt 1").contains("404");
        screenshot("delivery");
        receiver.reply("/hooks/" + bob, r -> Receiver.Reply.of(200));
        go("#replay");
        assertThat(text(".notice")).contains("Sent again");
        receiver.await("/hooks/" + bob, 2);
        until("#delivery-status", "DELIVERED");
        assertThat(text("#attempt-list")).contains("200");

        // The campaign's page: its runs and chart.
        browser.get(campaignPage);
        assertThat(text("#runs-table")).contains("MANUAL");
        assertThat(browser.findElements(By.cssSelector("#latency-chart path.p99"))).hasSize(1);
        screenshot("campaign");

        // Why did carl get nothing?
        type("#explain-user", carl);
        go("#explain");
        assertThat(text("#verdict")).isEqualTo("WOULD_NOT_ENTER");
        assertThat(text("#summary")).contains("plan eq \"pro\"").contains("\"free\"");
        screenshot("explain");

        open("/console/campaigns");
        assertThat(text("table")).contains("Browser campaign " + tag);
        screenshot("campaigns");
        // On a phone's width the page does not scroll sideways: wide tables scroll inside their frame.
        browser.manage().window().setSize(new Dimension(390, 844));
        open("/console/campaigns");
        Object pageWidth = ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth");
        assertThat(((Number) pageWidth).intValue()).isLessThanOrEqualTo(390);
        screenshot("campaigns-narrow");
        browser.manage().window().setSize(new Dimension(1280, 1000));
        open("/console/users/" + ann);
        screenshot("user");
        open("/console/engine");
        screenshot("engine");

        // Another site's page posting a form to the console changes nothing.
        receiver.reply("/evil", r -> new Receiver.Reply(200, Map.of("Content-Type", "text/html"),
                "<form id=f method=post action=\"" + campaignPage + "/pause\"><input name=csrf value=x></form>"
                        + "<script>document.getElementById('f').submit()</script>"));
        browser.get(receiver.url("/evil"));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.getCurrentUrl().contains("/pause"));
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("refused");
        browser.get(campaignPage);
        assertThat(text("#campaign-status")).isEqualTo("ACTIVE");

        // Signing out ends the session.
        go(".sign-out button");
        assertThat(browser.getCurrentUrl()).contains("/console/sign-in");
        assertThat(text(".notice")).contains("signed out");
        open("/console/campaigns");
        assertThat(browser.getCurrentUrl()).contains("/console/sign-in");
    }
}
