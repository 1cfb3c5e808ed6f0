package dev.vireo.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive {@code ./mvnw package} makes runs on a machine without a JDK: unpacked, its
 * launcher is started with an empty environment (no {@code PATH}, no {@code JAVA_HOME}) and the
 * server answers {@code /healthz} with the Java runtime shipped inside.
 */
@Timeout(120)
class DistArchiveTest {

    private static final Pattern HTTP_PORT = Pattern.compile("HTTP listening on [^:]+:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void theUnpackedArchiveRunsWithoutAJdk() throws Exception {
        Path archive = Path.of(System.getProperty("vireo.dist.archive"));
        assertThat(archive).exists();
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", dir.toString()).inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        Path home;
        try (var entries = Files.list(dir)) {
            home = entries.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertThat(home.resolve("runtime/bin/java")).isExecutable();
        assertThat(home.resolve("runtime/bin/javac")).as("a runtime, not a JDK").doesNotExist();
        assertThat(home.resolve("bin/vireo")).isExecutable();
        assertThat(home.resolve("vireo.yaml.example")).exists();
        try (var jars = Files.list(home.resolve("lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("vireo-server-"));
        }

        Path log = dir.resolve("vireo.log");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/vireo").toString(), "--bind", "127.0.0.1",
                "--http-port", "0", "--https-port", "0", "--rtmp-port", "0", "--rtc-port", "0", "--srt-port", "0",
                "--data-dir", dir.resolve("data").toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.clear(); // no PATH, no JAVA_HOME: nothing but what the archive holds
        assertThat(env).isEmpty();
        Process vireo = pb.start();
        try {
            String port = Await.value(Duration.ofSeconds(60), "the HTTP port in the log", () -> httpPort(log, vireo));
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"ok\"");
            // and it runs on the shipped runtime
            Path runtime = home.resolve("runtime").toRealPath();
            assertThat(vireo.info().command().map(Path::of)).hasValueSatisfying(c ->
                    assertThat(c.startsWith(runtime)).as(c + " in " + runtime).isTrue());
        } finally {
            vireo.destroy();
            if (!vireo.waitFor(15, TimeUnit.SECONDS)) {
                vireo.destroyForcibly();
            }
        }
        assertThat(Files.readString(log)).doesNotContain("Exception in thread \"main\"");
    }

    private static String httpPort(Path log, Process vireo) {
        String text;
        try {
            text = Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return null;
        }
        if (!vireo.isAlive()) {
            throw new AssertionError("the server exited (" + vireo.exitValue() + "):\n" + text);
        }
        Matcher m = HTTP_PORT.matcher(text);
        return m.find() ? m.group(1) : null;
    }

}
