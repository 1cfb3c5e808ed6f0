package dev.vireo.core.testing;

import io.netty.util.ResourceLeakDetector;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.List;
import java.util.Locale;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a module's test run when Netty's leak detector reported a leak (a {@code ByteBuf} — or any
 * other resource Netty tracks — garbage-collected without its {@code release()}), so a leak cannot
 * pass unseen as one more log line.
 *
 * <p>Registered for every module whose tests have vireo-core's test-jar on their class path
 * (META-INF/services). When the JUnit launcher session opens, before any test runs, it installs
 * {@link LeakRecorder} as Netty's detector. When the session closes, after the module's last test,
 * it runs the GC a few times, makes the detectors report what it found, and throws with every
 * report of the run: surefire then fails the build with them ("There was an error in the forked
 * process"). Netty finds a leak only once the GC has collected the buffer, which may be long after
 * the test that leaked it, so a leak is attributed to the module's run, not to a test: the records
 * (where the buffer was created and last used) say where it comes from.
 *
 * <p>{@code -Dvireo.leakGuard=report} logs the reports instead of failing (for a module with a known
 * leak, with the reason next to the setting); {@code off} disables the guard. Tests run with
 * {@code -Dio.netty.leakDetection.level=paranoid} (root pom), so every buffer is tracked.
 */
public final class LeakGuard implements LauncherSessionListener {

    private static final Logger log = LoggerFactory.getLogger(LeakGuard.class);
    /** The system property: {@code fail} (default), {@code report} or {@code off}. */
    static final String MODE_PROPERTY = "vireo.leakGuard";
    private static final int GC_ROUNDS = 3;
    private static final long GC_WAIT_MILLIS = 10_000;

    enum Mode { FAIL, REPORT, OFF }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (mode() != Mode.OFF) {
            LeakRecorder.install();
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        Mode mode = mode();
        if (mode == Mode.OFF || !LeakRecorder.inUse()) {
            return; // nothing Netty tracks was created in this JVM
        }
        List<String> leaks = collect();
        if (leaks.isEmpty()) {
            log.info("leak guard: Netty's leak detector ({} level) reported no leak in this test run",
                    ResourceLeakDetector.getLevel().name().toLowerCase(Locale.ROOT));
            return;
        }
        String report = describe(leaks);
        if (mode == Mode.REPORT) {
            log.warn("{} (-D{}=report: not failing)", report, MODE_PROPERTY);
            return;
        }
        throw new IllegalStateException(report);
    }

    /**
     * Every leak Netty has reported in this JVM, after letting the GC collect what is unreachable
     * now and the detectors look at it.
     */
    public static List<String> collect() {
        for (int i = 0; i < GC_ROUNDS; i++) {
            gc();
            LeakRecorder.drain();
        }
        return LeakRecorder.reports();
    }

    /**
     * Runs the GC and waits until the reference handler has processed what it found (a canary
     * phantom reference is enqueued): the detectors see collected buffers through the same queues.
     */
    private static void gc() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> canary = new PhantomReference<>(new Object(), queue);
        System.gc();
        try {
            queue.remove(GC_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Reference.reachabilityFence(canary);
        }
    }

    static String describe(List<String> leaks) {
        StringBuilder b = new StringBuilder("Netty's leak detector reported ").append(leaks.size())
                .append(leaks.size() == 1 ? " leak" : " leaks")
                .append(" in this module's test run (a reference-counted buffer garbage-collected without release();"
                        + " the records say where it was created and last used; see docs/RELIABILITY.md, Leak guard):");
        for (String leak : leaks) {
            b.append(System.lineSeparator()).append(leak);
        }
        return b.toString();
    }

    static Mode mode() {
        String v = System.getProperty(MODE_PROPERTY, "fail").trim().toUpperCase(Locale.ROOT);
        try {
            return Mode.valueOf(v.isEmpty() ? "FAIL" : v);
        } catch (IllegalArgumentException e) {
            return Mode.FAIL;
        }
    }
}
