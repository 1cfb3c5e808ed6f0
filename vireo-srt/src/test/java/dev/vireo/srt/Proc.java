package dev.vireo.srt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real peer's process (ffmpeg, srt-live-transmit, ffprobe) with its output in a file. */
final class Proc implements AutoCloseable {

    final Process process;
    final Path log;

    private Proc(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code cmd}; stdout goes to {@code stdout} when given, else with stderr to the log file. */
    static Proc start(Path dir, String name, Path stdout, String... cmd) throws IOException {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).redirectError(log.toFile()).directory(dir.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (stdout != null) {
            pb.redirectOutput(stdout.toFile());
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        return new Proc(pb.start(), log);
    }

    /**
     * Starts {@code cmd} reading its stdin from a pipe that {@link #startFeeding} fills: two peers
     * joined as a shell's {@code |} joins them, with no port between them for another process to take
     * (a UDP port picked, closed and handed to the reader could be).
     */
    static Proc startReading(Path dir, String name, String... cmd) throws IOException {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).redirectError(log.toFile()).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return new Proc(pb.start(), log);
    }

    /** Starts {@code cmd} with its stdout copied (a virtual thread) to the stdin of {@code reader}. */
    static Proc startFeeding(Path dir, String name, Proc reader, String... cmd) throws IOException {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).redirectError(log.toFile()).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        Thread.ofVirtual().name("pipe-" + name).start(() -> {
            try (java.io.InputStream in = p.getInputStream(); java.io.OutputStream out = reader.process.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // either end closed: the pipe ends with it
            }
        });
        return new Proc(p, log);
    }

    /** Runs {@code cmd} to its end (at most {@code seconds}); returns exit code and combined output. */
    static Result run(Path dir, int seconds, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "run", ".out");
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).redirectOutput(out.toFile())
                .directory(dir.toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Result(-1, "timed out after " + seconds + " s: " + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out));
    }

    record Result(int exitCode, String output) {
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    boolean waitFor(int seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
            }
        }
    }
}
