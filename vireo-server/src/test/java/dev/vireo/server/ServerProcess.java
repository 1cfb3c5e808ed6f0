package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Await;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server as its own OS process ({@code java ... Main}, this module's classpath) configured the way
 * a user configures it: command-line flags and {@code VIREO_*} environment variables. Its merged
 * output is collected line by line; bound ports are read from its "listening on" lines.
 * {@link #kill()} is a real SIGKILL (no shutdown hook runs); {@link #close()} a SIGTERM.
 */
final class ServerProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private ServerProcess(String name, Process process, Path logFile) throws IOException {
        this.name = name;
        this.process = process;
        BufferedWriter log = logFile == null ? null : Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("output-" + name).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                    if (log != null) { // line by line: kept even when the test process dies
                        log.write(l);
                        log.newLine();
                        log.flush();
                    }
                }
            } catch (IOException e) {
                // process gone
            } finally {
                if (log != null) {
                    try {
                        log.close();
                    } catch (IOException e) {
                        // nothing more to keep
                    }
                }
            }
        });
    }

    /**
     * Starts {@code Main} with {@code args}, in {@code dir}, with {@code env} added to an environment
     * from which every inherited {@code VIREO_*} variable was removed. Small heap, serial GC, C1 only:
     * several of these share a test machine and start at once.
     */
    static ServerProcess start(String name, Path dir, Map<String, String> env, String... args) throws IOException {
        return start(name, dir, null, env, args);
    }

    /** As {@link #start(String, Path, Map, String...)}, also writing its output to {@code logFile} as it comes. */
    static ServerProcess start(String name, Path dir, Path logFile, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx384m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("VIREO_"));
        pb.environment().putAll(env);
        return new ServerProcess(name, pb.start(), logFile);
    }

    /** The port of the first line matching {@code "<what> listening on <host>:(port)"}, waiting for it. */
    int port(String what, Duration deadline) {
        Pattern p = Pattern.compile(Pattern.quote(what) + " listening on (?:UDP )?[0-9.]+:(\\d+)");
        String line;
        try {
            line = Await.value(deadline, name + ": '" + what + " listening' line", () -> {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + output());
                }
                return lines.stream().filter(l -> p.matcher(l).find()).findFirst().orElse(null);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; its output and threads:\n" + threadDump(), e);
        }
        Matcher m = p.matcher(line);
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Its output after a thread dump (SIGQUIT) was written to it, for a failure message. */
    private String threadDump() {
        try {
            new ProcessBuilder("kill", "-QUIT", String.valueOf(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(10), "the thread dump", () -> logged("JNI global refs"));
        } catch (Exception | AssertionError e) {
            // the output as it is
        }
        return output();
    }

    boolean logged(String text) {
        return lines.stream().anyMatch(l -> l.contains(text));
    }

    String output() {
        return String.join("\n", lines);
    }

    String name() {
        return name;
    }

    Process process() {
        return process;
    }

    /** SIGKILL, and waits for the exit: returns the exit status (137). */
    int kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as(name + " exited after SIGKILL").isTrue();
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        // SIGTERM through the handle (Process.destroy() would also close our end of its output)
        process.toHandle().destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
