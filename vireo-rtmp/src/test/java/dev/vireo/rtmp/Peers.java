package dev.vireo.rtmp;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** ffmpeg / ffprobe as real peers. */
final class Peers {

    static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");
    static final Path FFPROBE = Path.of("/usr/bin/ffprobe");

    private Peers() {
    }

    /** Skips the test when ffmpeg is missing, unless -Dvireo.requirePeers=true makes that a failure. */
    static void requireFfmpeg() {
        boolean present = Files.isExecutable(FFMPEG) && Files.isExecutable(FFPROBE);
        if (Boolean.getBoolean("vireo.requirePeers")) {
            assertTrue(present, "ffmpeg/ffprobe required at /usr/bin (vireo.requirePeers=true)");
        }
        assumeTrue(present, "ffmpeg/ffprobe not installed at /usr/bin: skipping the real-peer test");
    }

    /** A running peer process; its output goes to a file (no pipe to fill up). */
    record Proc(Process process, Path log) {

        Result await(long seconds) throws Exception {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log));
        }

        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    record Result(int exitCode, String output) {
    }

    static Proc start(Path workDir, String... command) throws IOException {
        Path log = Files.createTempFile(workDir, "peer", ".log");
        List<String> cmd = new ArrayList<>(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new Proc(pb.start(), log);
    }

    static Result run(Path workDir, long timeoutSeconds, String... command) throws Exception {
        return start(workDir, command).await(timeoutSeconds);
    }

    /** ffmpeg publishing a test pattern (H.264 with B-frames + AAC) for {@code seconds}. */
    static Proc publish(Path workDir, String url, int seconds) throws IOException {
        return start(workDir, FFMPEG.toString(), "-hide_banner", "-loglevel", "warning", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "30",
                "-c:a", "aac", "-t", String.valueOf(seconds), "-f", "flv", url);
    }
}
