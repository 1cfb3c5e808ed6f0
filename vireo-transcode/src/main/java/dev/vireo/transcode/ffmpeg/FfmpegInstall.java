package dev.vireo.transcode.ffmpeg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The ffmpeg this host runs, found once at start-up: where it is, its version, which encoders it
 * has. When it is missing or broken, {@code problem} says so in words fit for a viewer's refusal.
 *
 * @param executable the resolved path, or the configured name when not found
 * @param problem why transcoding cannot run, or null when it can
 */
public record FfmpegInstall(String executable, String version, Set<String> encoders, String problem) {

    public FfmpegInstall {
        encoders = Set.copyOf(encoders);
    }

    public static FfmpegInstall unusable(String executable, String problem) {
        return new FfmpegInstall(executable, "", Set.of(), problem);
    }

    public boolean usable() {
        return problem == null;
    }

    /** Null when the encoder is there, else why a job needing it cannot run. */
    public String lacking(String encoder) {
        return encoders.contains(encoder) ? null
                : "transcoding unavailable: ffmpeg at " + executable + " has no " + encoder + " encoder";
    }

    /**
     * Finds {@code configured} (a path, or a name on PATH), runs {@code -version} and
     * {@code -encoders}. Blocks for as long as ffmpeg takes to answer (tens of milliseconds),
     * at most {@code timeout} per run.
     */
    public static FfmpegInstall probe(String configured, Duration timeout) {
        Path exe = resolve(configured);
        if (exe == null) {
            return unusable(configured, configured.contains("/")
                    ? "transcoding unavailable: ffmpeg not found at " + configured
                    : "transcoding unavailable: ffmpeg not found on PATH (looked for '" + configured + "')");
        }
        String path = exe.toString();
        try {
            String version = run(List.of(path, "-hide_banner", "-version"), timeout).lines().findFirst().orElse("");
            Set<String> encoders = new HashSet<>();
            for (String line : run(List.of(path, "-hide_banner", "-encoders"), timeout).split("\n")) {
                // " V....D libx264              libx264 H.264 / AVC / ..." : flags, name, description
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].length() == 6 && f[0].matches("[VAS.][.F][.S][.X][.B][.D]")) {
                    encoders.add(f[1]);
                }
            }
            return new FfmpegInstall(path, version, encoders, null);
        } catch (IOException e) {
            return unusable(path, "transcoding unavailable: ffmpeg at " + path + " does not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unusable(path, "transcoding unavailable: interrupted while checking ffmpeg");
        }
    }

    private static Path resolve(String configured) {
        if (configured.contains("/")) {
            Path p = Path.of(configured);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? p.toAbsolutePath() : null;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, configured);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Stdout of a short command; stderr discarded. */
    private static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()),
                task -> Thread.ofVirtual().start(task));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("no answer within " + timeout.toMillis() + " ms");
            }
            if (p.exitValue() != 0) {
                throw new IOException("exit code " + p.exitValue());
            }
            return new String(out.join(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
