package dev.vireo.control;

import dev.vireo.core.testing.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** ffmpeg pushing a small synthetic H.264 + AAC stream over RTMP in real time, as an encoder would. */
final class FfmpegPublisher implements AutoCloseable {

    private final Process process;
    private final Path log;

    FfmpegPublisher(String rtmpUrl, int seconds, Path workDir) throws IOException {
        log = Files.createTempFile(workDir, "ffmpeg", ".log");
        process = new ProcessBuilder(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-f", "lavfi", "-i", "sine=frequency=440",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15", "-c:a", "aac",
                "-t", String.valueOf(seconds), "-f", "flv", rtmpUrl))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Exit code once ended (waits up to {@code seconds}), or -1 when still running. */
    int exitCode(int seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
