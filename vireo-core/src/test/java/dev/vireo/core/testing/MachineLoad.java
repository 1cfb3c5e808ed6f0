package dev.vireo.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test helper: the machine's load, for tests whose timing only means something on a machine that
 * keeps up (a headless Chromium's decode rate, a failover's seconds). Such a bound is the product's
 * on a quiet machine: asserted when the load is at most 4 per core, logged with the load above it;
 * what the test proves regardless of speed (frames keep coming, the viewer plays again) it asserts
 * always.
 */
public final class MachineLoad {

    private MachineLoad() {
    }

    /** The 1-minute load average ({@code /proc/loadavg}), or 0 where it cannot be read. */
    public static double oneMinute() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Whether the load is at most 4 per core. */
    public static boolean quiet() {
        return oneMinute() <= 4.0 * Runtime.getRuntime().availableProcessors();
    }

    /**
     * {@code measured} (e.g. decoded frames per second) above {@code floor}: asserted on a quiet
     * machine, printed with the load otherwise.
     *
     * @throws AssertionError when it is not above and the machine is quiet
     */
    public static void aboveWhenQuiet(String what, double measured, double floor) {
        if (measured > floor) {
            return;
        }
        failWhenQuiet(String.format("%s: %.1f, expected above %.1f", what, measured, floor));
    }

    /**
     * {@code measured} (e.g. a round-trip time in ms) below {@code ceiling}: asserted on a quiet
     * machine, printed with the load otherwise.
     *
     * @throws AssertionError when it is not below and the machine is quiet
     */
    public static void belowWhenQuiet(String what, double measured, double ceiling) {
        if (measured < ceiling) {
            return;
        }
        failWhenQuiet(String.format("%s: %.1f, expected below %.1f", what, measured, ceiling));
    }

    private static void failWhenQuiet(String finding) {
        String text = String.format("%s (machine load %.1f on %d cores)", finding, oneMinute(),
                Runtime.getRuntime().availableProcessors());
        if (quiet()) {
            throw new AssertionError(text);
        }
        System.out.println(text + ": above 4 per core, logged and not asserted");
    }
}
