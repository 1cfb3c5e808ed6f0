package dev.vireo.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: the machine's load, for Chromium tests whose timing only means something on a quiet machine. */
final class MachineLoad {

    private MachineLoad() {
    }

    /** The 1-minute load average ({@code /proc/loadavg}), or 0 where it cannot be read. */
    static double oneMinute() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Whether the load is at most 4 per core. */
    static boolean quiet() {
        return oneMinute() <= 4.0 * Runtime.getRuntime().availableProcessors();
    }
}
