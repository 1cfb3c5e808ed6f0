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

    /**
     * The throwaway Redis server {@code bin/test-services.sh} started ({@code VIREO_TEST_REDIS_URL},
     * {@code redis://127.0.0.1:PORT}); skips or fails the test when there is none.
     */
    public static String redis() {
        return service("VIREO_TEST_REDIS_URL", "Redis");
    }

    /** The throwaway PostgreSQL server ({@code VIREO_TEST_POSTGRES_URL}, a JDBC URL); skips or fails without one. */
    public static String postgres() {
        return service("VIREO_TEST_POSTGRES_URL", "PostgreSQL");
    }

    private static String service(String variable, String what) {
        String url = System.getenv(variable);
        if (url != null && !url.isBlank()) {
            return url;
        }
        String message = variable + " is not set (./test, or '. bin/test-services.sh; vireo_start_test_services',"
                + " starts " + what + ")";
        if (Boolean.getBoolean("vireo.requirePeers")) {
            throw new AssertionError(message);
        }
        assumeTrue(false, message);
        return null;
    }
}
