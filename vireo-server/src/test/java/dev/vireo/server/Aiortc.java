package dev.vireo.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The non-browser WHIP client of the tests: {@code src/test/resources/whip/aiortc_publish.py} run by
 * Debian's {@code /usr/bin/python3} with {@code python3-aiortc} (aiortc 1.4): generated H.264 video
 * and Opus audio. Missing aiortc skips the test, or fails it with {@code -Dvireo.requirePeers=true}.
 */
final class Aiortc implements AutoCloseable {

    static final String PYTHON = "/usr/bin/python3";

    private final Process process;
    private final Path output;

    private Aiortc(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts publishing to {@code whipUrl}; {@code extra} are further script arguments. */
    static Aiortc publish(Path dir, String whipUrl, double seconds, List<String> extra) throws Exception {
        return run(dir, "/whip/aiortc_publish.py", whipUrl, seconds, extra);
    }

    /** Starts playing {@code whepUrl} (a WHEP client that counts decoded video frames). */
    static Aiortc play(Path dir, String whepUrl, double seconds) throws Exception {
        return run(dir, "/whep/aiortc_play.py", whepUrl, seconds, List.of());
    }

    private static Aiortc run(Path dir, String resource, String url, double seconds, List<String> extra)
            throws Exception {
        require();
        Path script = dir.resolve(Path.of(resource).getFileName().toString());
        try (InputStream in = Aiortc.class.getResourceAsStream(resource)) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(), url, "--seconds",
                String.valueOf(seconds)));
        cmd.addAll(extra);
        Path out = Files.createTempFile(dir, "aiortc", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        return new Aiortc(p, out);
    }

    private static void require() throws Exception {
        boolean ok = Files.isExecutable(Path.of(PYTHON));
        if (ok) {
            Process check = new ProcessBuilder(PYTHON, "-c", "import aiortc, numpy").redirectErrorStream(true).start();
            ok = check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0;
        }
        String message = "python3-aiortc is not installed (./test installs it)";
        if (!ok && Boolean.getBoolean("vireo.requirePeers")) {
            throw new AssertionError(message);
        }
        assumeTrue(ok, message);
    }

    /** What the script printed so far (JSON lines, errors). */
    String output() throws IOException {
        return Files.readString(output);
    }

    /**
     * Ends the publishing of a script started with {@code --until-stdin} (it DELETEs its session and
     * exits): its standard input ends.
     */
    void stop() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits for the script to end; its exit code. */
    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
