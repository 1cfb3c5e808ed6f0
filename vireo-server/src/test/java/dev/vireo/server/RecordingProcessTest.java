package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording with the server as a real process ({@code java ... Main}, the {@code record.streams}
 * setting): 20 s that ffmpeg pushed play from the file start to end with the pushed duration, and a server killed with SIGKILL in the middle of a recording leaves a file
 * that plays without an error up to its last fragment.
 */
@Timeout(180)
class RecordingProcessTest {

    @TempDir
    Path dir;

    /** {@code java ... Main} with every port ephemeral, recording live/*; the RTMP port read from its log. */
    private record Server(Process process, List<String> lines, int rtmpPort) implements AutoCloseable {
        static Server start(Path dir) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--bind", "127.0.0.1",
                    "--http-port", "0", "--https-port", "0", "--rtmp-port", "0", "--rtc-port", "0",
                    "--data-dir", dir.resolve("data").toString(), "--record-streams", "live/*"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("VIREO_"));
            Process p = pb.start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // process gone
                }
            });
            Pattern rtmp = Pattern.compile("RTMP listening on 127\\.0\\.0\\.1:(\\d+)");
            String line = Await.value(Duration.ofSeconds(60), "RTMP listening line", () ->
                    lines.stream().filter(l -> rtmp.matcher(l).find()).findFirst().orElse(null));
            Matcher m = rtmp.matcher(line);
            assertThat(m.find()).isTrue();
            return new Server(p, lines, Integer.parseInt(m.group(1)));
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static Ffmpeg push(int rtmpPort, int seconds, Path dir) throws IOException {
        return Ffmpeg.start(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-c:a", "aac",
                "-t", String.valueOf(seconds), "-f", "flv", "rtmp://127.0.0.1:" + rtmpPort + "/live/demo"), dir);
    }

    private static List<Path> recordings(Path dir) throws IOException {
        Path d = dir.resolve("data/recordings/__defaultVhost__/live/demo");
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.toString().endsWith(".mp4")).sorted().toList();
        }
    }

    private static double duration(Path file, Path dir) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-show_entries", "format=duration",
                "-of", "default=nw=1:nk=1", file.toString()), dir, 30);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return Double.parseDouble(r.stdout().strip());
    }

    /** How far into the file's time line its first packet is (a file that starts late would not play from 0). */
    private static double startTime(Path file, Path dir) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffprobe(), "-v", "error", "-show_entries", "format=start_time",
                "-of", "default=nw=1:nk=1", file.toString()), dir, 30);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return Double.parseDouble(r.stdout().strip());
    }

    private static void decodesWithoutErrors(Path file, Path dir) throws Exception {
        Ffmpeg.Result r = Ffmpeg.run(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-v", "error", "-i",
                file.toString(), "-f", "null", "-"), dir, 60);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout() + r.stderr()).as("decoder errors in " + file).isEmpty();
    }

    @Test
    void aRecordingPlaysWithThePushedDurationAndSurvivesSigkill() throws Exception {
        try (Server server = Server.start(dir)) {
            // 20 s pushed and finished: the file plays 20 s (within 1 s) from start to end
            try (Ffmpeg ffmpeg = push(server.rtmpPort(), 20, dir)) {
                Await.until(Duration.ofSeconds(60), "the push ends", () -> !ffmpeg.isAlive());
            }
            Await.until(Duration.ofSeconds(20), "one recording with 20 s", () -> {
                try {
                    List<Path> f = recordings(dir);
                    return f.size() == 1 && duration(f.getFirst(), dir) > 19;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Path first = recordings(dir).getFirst();
            assertThat(duration(first, dir)).isBetween(19.0, 21.0);
            assertThat(startTime(first, dir)).as("the file starts at its first frame").isLessThan(0.5);
            decodesWithoutErrors(first, dir);
        }
        // a second server on the same data dir, killed with SIGKILL while recording
        try (Server server = Server.start(dir); Ffmpeg ffmpeg = push(server.rtmpPort(), 60, dir)) {
            Await.until(Duration.ofSeconds(40), "a second recording with more than 4 s", () -> {
                try {
                    List<Path> f = recordings(dir);
                    return f.size() == 2 && duration(f.getLast(), dir) > 4;
                } catch (Exception e) {
                    return false; // the file may be caught between two writes' metadata: ask again
                }
            });
            server.process().destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertThat(server.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(server.process().exitValue()).isEqualTo(137);
            Path killed = recordings(dir).getLast();
            decodesWithoutErrors(killed, dir);
            assertThat(duration(killed, dir)).isGreaterThan(4);
        }
    }
}
