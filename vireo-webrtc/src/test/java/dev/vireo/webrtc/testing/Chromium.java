package dev.vireo.webrtc.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium driven through chromedriver, as the real WebRTC peer of integration tests.
 * Uses the OS packages ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}); Selenium
 * Manager is never asked (no network). A missing browser skips the test, or fails it with
 * {@code -Dvireo.requirePeers=true}.
 */
public final class Chromium implements AutoCloseable {

    public static final String BROWSER = "/usr/bin/chromium";
    public static final String DRIVER = "/usr/bin/chromedriver";

    private static final List<String> ARGS = List.of("--headless=new", "--no-sandbox", "--disable-gpu",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
            "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
            "--autoplay-policy=no-user-gesture-required");

    private final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;

    private Chromium(ChromeDriver driver, ChromeDriverService service, Path profile) {
        this.driver = driver;
        this.service = service;
        this.profile = profile;
    }

    /** Starts a browser with a fresh profile under {@code workDir}. */
    public static Chromium start(Path workDir) throws IOException {
        return start(workDir, List.of());
    }

    /**
     * Chromium's fake camera and microphone (a test pattern and a beep), granted without asking:
     * a browser that can publish (WHIP) in a test.
     */
    public static final List<String> FAKE_MEDIA = List.of("--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream");

    /** Starts a browser with a fresh profile under {@code workDir} and extra command line switches. */
    public static Chromium start(Path workDir, List<String> extraArgs) throws IOException {
        requireExecutable(BROWSER);
        requireExecutable(DRIVER);
        System.setProperty("webdriver.chrome.driver", DRIVER);
        Path profile = Files.createTempDirectory(workDir, "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        options.addArguments(ARGS);
        options.addArguments(extraArgs);
        options.addArguments("--user-data-dir=" + profile);
        // The page's console (errors, failed loads) for tests that assert a clean console.
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort()
                .withLogOutput(java.io.OutputStream.nullOutputStream())
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Chromium(driver, service, profile);
    }

    private static void requireExecutable(String path) {
        if (Files.isExecutable(Path.of(path))) {
            return;
        }
        String message = path + " is not installed (Debian packages chromium and chromium-driver)";
        if (Boolean.getBoolean("vireo.requirePeers")) {
            throw new AssertionError(message);
        }
        assumeTrue(false, message);
    }

    public void open(String url) {
        driver.get(url);
    }

    /** The browser, for tests that click and type (Selenium's element API). */
    public WebDriver driver() {
        return driver;
    }

    /** Saves a PNG of the visible page (tests keep it under their temp directory). */
    public void screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    }

    /** The page console's error entries (script errors, failed requests) since the last call. */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    /** Runs a script in the page and returns its result (numbers come back as Long or Double). */
    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs an async script: the last argument is the callback to call with the result. */
    public Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** A number from the page, or -1 when the expression is null or undefined. */
    public double number(String expression) {
        Object v = js("const v = (function () { try { return " + expression + "; } catch (e) { return null; } })();"
                + " return v === undefined || v === null ? null : v;");
        return v instanceof Number n ? n.doubleValue() : -1;
    }

    /**
     * The current {@code inbound-rtp} stats of {@code pc} (a page expression naming an
     * RTCPeerConnection) for {@code kind} ("video"/"audio"), freshly from {@code getStats()}.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> inboundRtp(String pc, String kind) {
        Object r = jsAsync("const done = arguments[arguments.length - 1];"
                + "(" + pc + ").getStats().then(rep => { let out = null;"
                + " rep.forEach(s => { if (s.type === 'inbound-rtp' && s.kind === arguments[0]) out = s; });"
                + " done(out ? JSON.parse(JSON.stringify(out)) : null); }).catch(() => done(null));", kind);
        return r == null ? Map.of() : (Map<String, Object>) r;
    }

    /** The mime type of the codec an inbound-rtp stream of {@code kind} uses ("video/H264"), or null. */
    public String inboundCodec(String pc, String kind) {
        Object r = jsAsync("const done = arguments[arguments.length - 1];"
                + "(" + pc + ").getStats().then(rep => { let id = null;"
                + " rep.forEach(s => { if (s.type === 'inbound-rtp' && s.kind === arguments[0]) id = s.codecId; });"
                + " const c = id ? rep.get(id) : null; done(c ? c.mimeType : null); }).catch(() => done(null));", kind);
        return (String) r;
    }

    /**
     * The protocol ("udp"/"tcp") of the local candidate of {@code pc}'s selected candidate pair
     * (the transport's {@code selectedCandidatePairId}), or null before one is selected.
     */
    public String selectedCandidateProtocol(String pc) {
        Object r = jsAsync("const done = arguments[arguments.length - 1];"
                + "(" + pc + ").getStats().then(rep => { let pair = null;"
                + " rep.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = rep.get(s.selectedCandidatePairId); });"
                + " const local = pair ? rep.get(pair.localCandidateId) : null;"
                + " done(local ? local.protocol : null); }).catch(() => done(null));");
        return (String) r;
    }

    /** A numeric field of an inbound-rtp stats map, or -1 when absent. */
    public static double field(Map<String, Object> stats, String name) {
        Object v = stats.get(name);
        return v instanceof Number n ? n.doubleValue() : -1;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir under the test's work dir; JUnit cleans that up too
        }
    }
}
