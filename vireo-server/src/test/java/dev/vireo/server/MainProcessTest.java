package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link Main} as a real process: exit codes, printed URLs, SIGTERM. */
@Timeout(90)
class MainProcessTest {

    @TempDir
    Path dir;

    /** A running {@code java ... Main} whose merged output is collected line by line. */
    private final class Vireo implements AutoCloseable {

        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Vireo(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            // Nothing from the test's environment may change the defaults under test.
            pb.environment().keySet().removeIf(k -> k.startsWith("VIREO_"));
            pb.directory(dir.toFile());
            process = pb.start();
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // process gone
                }
            });
        }

        int exit() throws InterruptedException {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("process exited").isTrue();
            return process.exitValue();
        }

        String output() {
            return String.join("\n", lines);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void badValueExitsWith2AndSaysWhy() throws Exception {
        try (Vireo v = new Vireo("--http-port", "http")) {
            assertThat(v.exit()).isEqualTo(2);
            Await.until("message printed", () -> v.output().contains("invalid http.port 'http' from option --http-port"));
            assertThat(v.output()).contains("--help");
        }
        try (Vireo v = new Vireo("--no-such-flag", "1")) {
            assertThat(v.exit()).isEqualTo(2);
        }
    }

    @Test
    void helpExitsWith0() throws Exception {
        try (Vireo v = new Vireo("--help")) {
            assertThat(v.exit()).isZero();
            Await.until("usage printed", () -> v.output().contains("VIREO_SLOW_VIEWER_MAX_LAG"));
        }
    }

    @Test
    void aTakenPortExitsWith1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Vireo v = new Vireo("--bind", "127.0.0.1", "--http-port", String.valueOf(taken.getLocalPort()),
                     "--rtmp-port", "0", "--rtc-port", "0", "--https-port", "0", "--srt-port", "0",
                     "--data-dir", dir.resolve("d").toString())) {
            assertThat(v.exit()).isEqualTo(1);
            Await.until("message printed", () -> v.output().contains("cannot listen for HTTP on 127.0.0.1:" + taken.getLocalPort()));
        }
    }

    @Test
    void startsPrintsTheUrlsAndStopsGracefullyOnSigterm() throws Exception {
        // Every port ephemeral: the defaults (SRT 10080, HTTPS 8443) may be held by another Vireo on
        // the machine, and a taken SRT port ends the process with 1.
        try (Vireo v = new Vireo("--bind", "127.0.0.1", "--http-port", "0", "--rtmp-port", "0", "--rtc-port", "0",
                "--https-port", "0", "--srt-port", "0", "--data-dir", dir.resolve("d").toString(),
                "--public-host", "media.example")) {
            Pattern listening = Pattern.compile("HTTP listening on 127\\.0\\.0\\.1:(\\d+)");
            String line = Await.value(Duration.ofSeconds(30), "HTTP listening line", () ->
                    v.lines.stream().filter(l -> listening.matcher(l).find()).findFirst().orElse(null));
            Matcher m = listening.matcher(line);
            assertThat(m.find()).isTrue();
            int port = Integer.parseInt(m.group(1));
            Await.until("URLs printed", () -> v.output().contains("ffplay http://media.example:" + port + "/live/demo.flv"));
            assertThat(v.output()).containsPattern("rtmp://media\\.example:\\d+/live/demo");

            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            // SIGTERM. (Process.destroy() would also close our end of the child's output, losing
            // what the shutdown hook logs; the handle only sends the signal.)
            assertThat(v.process.toHandle().destroy()).isTrue();
            assertThat(v.exit()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
            Await.until("graceful stop logged", () -> v.output().contains("Vireo stopped"));
        }
    }
}
