package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.Select;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console as a user drives it, in headless Chromium: sign in with the admin key, add an ingest
 * and a streaming domain, associate them, turn signing on, generate the URLs, push ffmpeg (AAC,
 * B-frames, 3 s GOP, as OBS defaults do) to the generated RTMP URL and play the generated player
 * URL (WebRTC through the browser variant). Screenshots of every page go to
 * {@code target/screenshots/}; the browser console must stay free of errors.
 */
@Timeout(240)
class ConsoleBrowserTest {

    private static final Logger log = LoggerFactory.getLogger(ConsoleBrowserTest.class);
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final String INGEST = "push.example.com";
    private static final String PLAY = "play.example.com";
    private static final String MAIN = "live.example.net";
    private static final String CDN = "cdn.example.net";

    @TempDir
    static Path dir;

    private static VireoServer server;
    private static VireoServer.BoundPorts ports;
    private static Chromium chromium;
    private static WebDriver driver;
    private static String base;
    private static Process ffmpeg;

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        server = BrowserFixture.server(dir);
        ports = server.start();
        base = "http://127.0.0.1:" + ports.http();
        chromium = Chromium.start(dir);
        driver = chromium.driver();
        driver.manage().window().setSize(new Dimension(1440, 1000));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ffmpeg != null) {
            ffmpeg.destroy();
            ffmpeg.waitFor(5, TimeUnit.SECONDS);
        }
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void rootRedirectsToTheConsoleAndTheFaviconIsServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<Void> root = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/console/");
        HttpResponse<String> icon = http.send(HttpRequest.newBuilder(URI.create(base + "/favicon.ico")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(icon.statusCode()).isEqualTo(200);
        assertThat(icon.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
        HttpResponse<String> shell = http.send(HttpRequest.newBuilder(URI.create(base + "/console/domains")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(shell.statusCode()).isEqualTo(200);
        assertThat(shell.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'"));
        HttpResponse<String> escape = http.send(HttpRequest.newBuilder(URI.create(base + "/console/..%2Fplayer.html"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(escape.statusCode()).isEqualTo(404);
        HttpResponse<String> lib = http.send(HttpRequest.newBuilder(URI.create(base + "/vendor/mpegts.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(lib.statusCode()).isEqualTo(200);
        assertThat(lib.body()).contains("mpegts");
    }

    @Test
    void aUserSetsUpDomainsSigningAndPlaysTheGeneratedUrls() throws Exception {
        String key = server.control().generatedAdminKey().orElseThrow();
        chromium.open(base + "/console/");
        chromium.js("sessionStorage.clear(); return null;"); // signed out, whatever ran before in this tab
        chromium.consoleErrors();
        chromium.open(base + "/");
        WebElement keyField = waitFor(By.name("apiKey"));
        assertThat(driver.getCurrentUrl()).endsWith("/console/");
        assertFormsLabelled();
        shot("01-sign-in");
        keyField.sendKeys("not-the-key", Keys.ENTER);
        Await.until(Duration.ofSeconds(10), "the refusal", () -> text(".error-text").contains("not valid"));
        assertThat(chromium.consoleErrors()).as("the 401 of the wrong key").isNotEmpty();
        keyField = driver.findElement(By.name("apiKey"));
        keyField.clear();
        keyField.sendKeys(key, Keys.ENTER);  // keyboard only: Enter submits
        waitFor(By.cssSelector("nav.side"));
        assertThat(driver.getCurrentUrl()).doesNotContain(key);
        assertThat(chromium.js("return sessionStorage.getItem('vireo.adminKey')")).isEqualTo(key);
        assertThat(chromium.js("return localStorage.length")).isEqualTo(0L);
        Await.until(Duration.ofSeconds(10), "the empty stream list", () -> text("main").contains("No stream is live"));
        shot("02-streams-empty");

        // Domains: add both through the form, associate, signing on (it is by default) with a known validity.
        nav("Domains");
        addDomain(INGEST, "ingest");
        addDomain(PLAY, "streaming");
        row(PLAY).click();
        Await.until(Duration.ofSeconds(10), "the domain panel", () -> text("main").contains("Association"));
        assertFormsLabelled();
        new Select(driver.findElement(By.name("ingestDomain"))).selectByValue(INGEST);
        button("Associate").click();
        Await.until(Duration.ofSeconds(10), "the association in the list", () -> text("tr[data-domain='" + PLAY + "']").contains(INGEST));
        shot("03-domains");
        row(PLAY).sendKeys(Keys.ENTER);  // rows open with the keyboard too
        button("URL signing").click();
        WebElement validity = waitFor(By.name("validityMinutes"));
        validity.clear();
        validity.sendKeys("120");
        button("Save signing").click();
        Await.until(Duration.ofSeconds(10), "signing saved", () -> text("tr[data-domain='" + PLAY + "']").contains("120 min"));
        shot("04-domain-signing");

        // URL generator.
        nav("URL generator");
        new Select(waitFor(By.name("ingestDomain"))).selectByValue(INGEST);
        new Select(driver.findElement(By.name("streamingDomain"))).selectByValue(PLAY);
        assertFormsLabelled();
        button("Generate").click();
        Await.until(Duration.ofSeconds(10), "the URLs", () -> !driver.findElements(By.cssSelector("code[data-url='RTMP']")).isEmpty());
        String rtmp = driver.findElement(By.cssSelector("code[data-url='RTMP']")).getText();
        String playerUrl = driver.findElement(By.cssSelector("code[data-url='Player page']")).getText();
        String whepUrl = driver.findElement(By.cssSelector("code[data-url='WHEP']")).getText();
        assertThat(rtmp).startsWith("rtmp://" + INGEST + "/live/demo?auth_key=");
        assertThat(playerUrl).startsWith("http://" + PLAY).contains("auth_key=", "flv_auth_key=", "hls_auth_key=");
        assertThat(text("main")).contains("Keyframe interval", "B-frames", "Stream key");
        shot("05-url-generator");

        // Templates.
        nav("Templates");
        waitFor(By.name("id")).sendKeys("sd360");
        WebElement height = driver.findElement(By.name("height"));
        height.clear();
        height.sendKeys("360");
        button("Create template").click();
        Await.until(Duration.ofSeconds(10), "the template row", () -> text("main table").contains("sd360"));
        shot("06-templates");

        // Publish as OBS does by default to the generated URL; the domain comes from ?vhost= on an IP.
        String auth = rtmp.substring(rtmp.indexOf("?auth_key=") + 1);
        List<String> cmd = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=f=440",
                "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "90", "-c:a", "aac", "-t", "120",
                "-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo?" + auth + "&vhost=" + INGEST));
        ffmpeg = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
        StreamKey streamKey = new StreamKey(INGEST, "live", "demo");
        Await.until(Duration.ofSeconds(30), "the stream is live with its GOP measured",
                () -> server.hub().find(streamKey).map(s -> s.stats().gopMillis() > 0).orElse(false));

        nav("Streams");
        Await.until(Duration.ofSeconds(15), "the live stream with its advice",
                () -> text("main").contains("live/demo") && !driver.findElements(By.cssSelector("li[data-code='BFramesOnRts']")).isEmpty());
        assertThat(driver.findElements(By.cssSelector("li[data-code='AacOnRts']"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("li[data-code='LongGop']"))).isNotEmpty();
        shot("07-streams-live");

        // The generated player URL, on this machine: same query, IP origin plus ?vhost= for the domain;
        // in a second tab, so the console (its key is per tab) watches the viewer.
        String consoleTab = driver.getWindowHandle();
        driver.switchTo().newWindow(WindowType.TAB);
        String playerTab = driver.getWindowHandle();
        String query = playerUrl.substring(playerUrl.indexOf('?') + 1);
        chromium.open(base + "/play/live/demo?" + query + "&vhost=" + PLAY);
        Await.until(Duration.ofSeconds(60), "the player plays", () -> "playing".equals(chromium.js("return window.vireo && window.vireo.state")));
        assertThat(chromium.js("return window.vireo.protocol")).isEqualTo("whep");
        double t0 = chromium.number("document.getElementById('video').currentTime");
        Await.until(Duration.ofSeconds(20), "currentTime grows", () -> chromium.number("document.getElementById('video').currentTime") > t0 + 1);
        assertThat(chromium.number("document.getElementById('video').videoWidth")).isEqualTo(640);
        Await.until(Duration.ofSeconds(10), "stats shown", () -> !text("#s-bitrate").equals("–"));
        shot("08-player");
        log.info("console: first frame {} ms over {}", chromium.number("window.vireo.firstFrameMs"),
                chromium.js("return window.vireo.protocol"));

        // Back to the console tab: the WebRTC viewer counted per protocol, the stream's thumbnail.
        driver.switchTo().window(consoleTab);
        Await.until(Duration.ofSeconds(20), "the WebRTC viewer in the stream list",
                () -> text("tr[data-stream='" + INGEST + "/live/demo'] [data-protocol='whep']").equals("WebRTC 1"));
        Await.until(Duration.ofSeconds(30), "the stream's picture", () -> !driver.findElements(
                By.cssSelector("tr[data-stream='" + INGEST + "/live/demo'] td.thumb img.live")).isEmpty());
        assertThat(chromium.number("document.querySelector('td.thumb img.live').naturalWidth")).isEqualTo(640);
        shot("08b-streams-viewers");
        driver.switchTo().window(playerTab);
        driver.close();
        driver.switchTo().window(consoleTab);

        // Troubleshooting: the FLV URL signed without its .flv suffix.
        nav("Troubleshooting");
        String flvAuth = playerUrl.replaceAll(".*[?&]auth_key=([^&]+).*", "$1");
        waitFor(By.name("url")).sendKeys("http://" + PLAY + "/live/demo.flv?auth_key=" + flvAuth, Keys.ENTER);
        Await.until(Duration.ofSeconds(10), "the findings", () -> !driver.findElements(
                By.cssSelector(".finding[data-code='SignatureWrongUri']")).isEmpty());
        assertThat(text(".finding[data-code='SignatureWrongUri']")).contains(".flv suffix is missing");
        assertThat(driver.findElements(By.cssSelector(".finding[data-code='BrowserVariant'],.finding[data-code='BrowserVariantOff']"))).isNotEmpty();
        assertFormsLabelled();
        shot("09-diagnose");

        // Kick: the publisher is disconnected (ffmpeg ends), it is not banned.
        nav("Streams");
        Await.until(Duration.ofSeconds(10), "the stream list", () -> text("main").contains("live/demo"));
        button("Kick").click();
        Await.until(Duration.ofSeconds(15), "the publisher gone",
                () -> server.hub().find(streamKey).map(s -> !s.isLive()).orElse(true));
        Await.until(Duration.ofSeconds(15), "the empty list", () -> text("main").contains("No stream is live"));
        // A viewer refused (a made-up signature) is in the stream's history too.
        HttpResponse<Void> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                base + "/live/demo.flv?vhost=" + PLAY + "&auth_key=1-0-0-0123456789abcdef0123456789abcdef")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(refused.statusCode()).isEqualTo(403);

        // Troubleshooting the WHEP URL: the ICE candidates, a real STUN answer, the stream's events.
        nav("Troubleshooting");
        WebElement url = waitFor(By.name("url"));
        url.clear();
        url.sendKeys(whepUrl, Keys.ENTER);
        Await.until(Duration.ofSeconds(15), "the WebRTC findings", () -> !driver.findElements(
                By.cssSelector(".finding[data-code='RtcPortAnswers']")).isEmpty());
        assertThat(text(".finding[data-code='RtcCandidatesLoopback']")).contains("127.0.0.1:" + server.webRtc().port());
        assertThat(driver.findElements(By.cssSelector(".finding[data-code='StreamOffline']"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("tr[data-event='publish']"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("tr[data-event='unpublish'],tr[data-event='end']"))).isNotEmpty();
        assertThat(text("tr[data-event='refused']")).contains("403", "play over http-flv");
        chromium.js("document.querySelector('table[aria-label=\"Recent events\"]').scrollIntoView(); return null;");
        shot("10-diagnose-events");

        assertThat(chromium.consoleErrors()).isEmpty();
    }

    /** Sub-streaming domains, a TLS certificate, webhooks and API keys: pages that need no live stream. */
    @Test
    void domainsCertificatesWebhooksAndApiKeys() throws Exception {
        chromium.consoleErrors(); // only this test's errors count below
        chromium.open(base + "/console/domains");
        if (waitForEither()) {
            driver.findElement(By.name("apiKey")).sendKeys(server.control().generatedAdminKey().orElseThrow(), Keys.ENTER);
        }
        waitFor(By.cssSelector("nav.side"));
        // Domains: a sub-streaming domain and a TLS certificate.
        nav("Domains");
        addDomain(MAIN, "streaming");
        addDomain(CDN, "streaming");
        row(MAIN).click();
        button("Sub-streaming domains").click();
        new Select(waitFor(By.name("subDomain"))).selectByValue(CDN);
        button("Bind").click();
        Await.until(Duration.ofSeconds(10), "the sub-domain listed", () -> !driver.findElements(
                By.cssSelector("li[data-sub='" + CDN + "']")).isEmpty());
        assertFormsLabelled();
        shot("11-domain-subdomains");
        button("HTTPS certificate").click();
        HttpsSniTest.TestCert cert = HttpsSniTest.TestCert.selfSigned(MAIN);
        WebElement certField = waitFor(By.name("certificate"));
        chromium.js("arguments[0].value = arguments[1]; return null;", certField, cert.certificatePem());
        chromium.js("arguments[0].value = arguments[1]; return null;", driver.findElement(By.name("privateKey")),
                cert.privateKeyPem());
        button("Upload certificate").click();
        Await.until(Duration.ofSeconds(10), "the certificate shown",
                () -> text("main").contains("days left") && text("main").contains("CN=" + MAIN));
        assertThat(server.control().certificateFor(MAIN)).isPresent();
        assertFormsLabelled();
        shot("12-domain-certificate");

        // Webhooks: the generated secret is shown once.
        nav("Webhooks");
        new Select(waitFor(By.name("notifyDomain"))).selectByValue(MAIN);
        driver.findElement(By.name("notifyUrl")).sendKeys("https://hooks.example.com/vireo");
        button("Save webhook").click();
        Await.until(Duration.ofSeconds(10), "the webhook listed", () -> text("tr[data-domain='" + MAIN + "']")
                .contains("https://hooks.example.com/vireo"));
        assertThat(text("code[data-secret]")).hasSizeGreaterThan(16);
        assertFormsLabelled();
        shot("13-webhooks");

        // API keys: a tenant account, its key shown once and working.
        nav("API keys");
        waitFor(By.name("accountName")).sendKeys("team-a");
        button("Create account").click();
        Await.until(Duration.ofSeconds(10), "the account listed", () -> !driver.findElements(
                By.cssSelector("tr[data-account='team-a']")).isEmpty());
        String tenantKey = text("code[data-api-key]");
        HttpResponse<String> me = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/account"))
                .header("Authorization", "Bearer " + tenantKey).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"name\":\"team-a\"");
        // its keys listed (an id, never the key) and revoked from the page: the key stops working
        driver.findElement(By.cssSelector("button[aria-label='API keys of team-a']")).click();
        WebElement revoke = waitFor(By.cssSelector("button[aria-label^='Revoke key '][aria-label$=' of team-a']"));
        assertThat(text("table[aria-label='API keys']")).as("the keys table shows ids, never a key")
                .doesNotContain(tenantKey.substring(3));
        shot("14-api-keys");
        revoke.click();
        driver.switchTo().alert().accept();
        Await.until(Duration.ofSeconds(10), "the revoked key refused", () -> accountStatus(tenantKey) == 401);
        assertFormsLabelled();
        assertThat(chromium.consoleErrors()).isEmpty();
        button("Sign out").click(); // the other tests start signed out
        waitFor(By.name("apiKey"));
    }

    /** True when the sign-in form shows (a new tab), false when the console does (signed in already). */
    private static boolean waitForEither() {
        Await.until(Duration.ofSeconds(15), "the console or its sign-in", () -> !driver.findElements(By.name("apiKey")).isEmpty()
                || !driver.findElements(By.cssSelector("nav.side")).isEmpty());
        return !driver.findElements(By.name("apiKey")).isEmpty();
    }

    @Test
    void theLatencyClockAndTheApiReference() throws Exception {
        chromium.open(base + "/tools/clock");
        Await.until(Duration.ofSeconds(15), "the clock synchronised", () -> chromium.number("window.vireoClock.error") >= 0);
        // browser and server share this machine's clock: the offset found is within the error bound
        double offset = chromium.number("window.vireoClock.offset");
        double error = chromium.number("window.vireoClock.error");
        assertThat(Math.abs(offset)).isLessThanOrEqualTo(error + 20);
        assertThat(text("#clock")).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}");
        shot("20-clock");
        chromium.open(base + "/api/docs");
        Await.until(Duration.ofSeconds(20), "Swagger UI rendered the OpenAPI document",
                () -> text(".swagger-ui").contains("/api/v1/diagnose"));
        shot("21-api-docs");
        assertThat(chromium.consoleErrors()).isEmpty();
    }

    // --- helpers

    private static void nav(String page) throws Exception {
        driver.findElement(By.linkText(page)).click();
        try {
            Await.until(Duration.ofSeconds(10), page + " shown", () -> text("main h1").equals(page));
        } catch (AssertionError e) {
            shot("failed-" + page.replace(' ', '-'));
            throw new AssertionError(e.getMessage() + "; main shows: " + text("main"), e);
        }
    }

    private static void addDomain(String name, String type) {
        WebElement domain = waitFor(By.name("domain"));
        domain.sendKeys(name);
        new Select(driver.findElement(By.name("type"))).selectByValue(type);
        button("Add domain").click();
        Await.until(Duration.ofSeconds(10), name + " listed", () -> !driver.findElements(
                By.cssSelector("tr[data-domain='" + name + "']")).isEmpty());
    }

    private static WebElement row(String domain) {
        return driver.findElement(By.cssSelector("tr[data-domain='" + domain + "']"));
    }

    /** The status of {@code GET /api/v1/account} with this key (-1 when the request failed). */
    private static int accountStatus(String key) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/account"))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static WebElement button(String label) {
        return driver.findElements(By.tagName("button")).stream().filter(b -> b.getText().trim().equals(label))
                .findFirst().orElseThrow(() -> new AssertionError("no button " + label));
    }

    private static WebElement waitFor(By by) {
        Await.until(Duration.ofSeconds(15), by.toString(), () -> !driver.findElements(by).isEmpty());
        return driver.findElement(by);
    }

    private static String text(String css) {
        List<WebElement> found = driver.findElements(By.cssSelector(css));
        try {
            return found.isEmpty() ? "" : found.getFirst().getText();
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return "";
        }
    }

    /** Every form control on the page has a label (label[for], a wrapping label or aria-label). */
    private static void assertFormsLabelled() {
        Object unlabelled = chromium.js("return [...document.querySelectorAll('input,select,textarea')]"
                + ".filter(e => e.getAttribute('aria-hidden') !== 'true')"
                + ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name || e.id);");
        assertThat((List<?>) unlabelled).isEmpty();
    }

    private static void shot(String name) throws Exception {
        chromium.screenshot(SHOTS.resolve("console-" + name + ".png"));
    }
}
