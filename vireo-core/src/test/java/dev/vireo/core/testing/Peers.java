package dev.vireo.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real peers for integration tests (ffmpeg, ffprobe, ...). When a peer is missing the test is
 * skipped with a clear message — unless the build runs with {@code -Dvireo.requirePeers=true}
 * (as {@code ./test} and CI do), where a missing peer fails the test instead of hiding it.
 */
public final class Peers {

    private Peers() {
    }

    /** Path of the named executable on PATH; skips or fails the test when it is absent. */
    public static String require(String executable) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir, executable);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String message = executable + " is not installed (./test installs it)";
        if (Boolean.getBoolean("vireo.requirePeers")) {
            throw new AssertionError(message);
        }
        assumeTrue(false, message);
        return null;
    }

    public static String ffmpeg() {
        return require("ffmpeg");
    }

    public static String ffprobe() {
        return require("ffprobe");
    }
}
