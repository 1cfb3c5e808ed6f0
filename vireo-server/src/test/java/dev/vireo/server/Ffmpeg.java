package dev.vireo.server;

import dev.vireo.core.testing.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helper: runs ffmpeg/ffprobe as real peers, with bounded waits and output kept for asserts. */
final class Ffmpeg implements AutoCloseable {

    /** A finished run: exit code, stdout, stderr. */
    record Result(int exitCode, String stdout, String stderr) {
    }

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private Ffmpeg(List<String> command, Path workDir) throws IOException {
        stdout = Files.createTempFile(workDir, "out", ".txt");
        stderr = Files.createTempFile(workDir, "err", ".txt");
        process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    /** Starts a publisher: 720p30 H.264 with B-frames and a 1 s GOP, plus AAC, for {@code seconds}. */
    static Ffmpeg publish(String rtmpUrl, int seconds, Path workDir) throws IOException {
        return new Ffmpeg(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine",
                "-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "30", "-c:a", "aac",
                "-t", String.valueOf(seconds), "-f", "flv", rtmpUrl), workDir);
    }

    /** Starts a command (ffmpeg as a viewer, ...); closing it ends the process. */
    static Ffmpeg start(List<String> command, Path workDir) throws IOException {
        return new Ffmpeg(command, workDir);
    }

    /** Runs a command to completion (killed after {@code timeoutSeconds}). */
    static Result run(List<String> command, Path workDir, int timeoutSeconds) throws IOException, InterruptedException {
        try (Ffmpeg f = new Ffmpeg(command, workDir)) {
            if (!f.process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", command)
                        + "\n" + Files.readString(f.stderr));
            }
            return new Result(f.process.exitValue(), Files.readString(f.stdout), Files.readString(f.stderr));
        }
    }

    static List<String> ffprobeStreams(String url) {
        return new ArrayList<>(List.of(Peers.ffprobe(), "-v", "error", "-rw_timeout", "10000000",
                "-of", "json", "-show_streams", url));
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
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
