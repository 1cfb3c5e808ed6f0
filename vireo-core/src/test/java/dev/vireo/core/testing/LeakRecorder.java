package dev.vireo.core.testing;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector for the tests: it reports a leak as Netty's own does (the {@code LEAK:}
 * log line with its access records) and also keeps the report, so that {@link LeakGuard} can fail
 * the test run on it. Netty creates one detector per resource type (ByteBuf, ...) through the
 * factory {@link #install()} sets, which must happen before Netty's allocator classes are
 * initialised ({@link LeakGuard} does it when the JUnit launcher session opens).
 *
 * @param <T> the resource type
 */
public final class LeakRecorder<T> extends ResourceLeakDetector<T> {

    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
    private static final List<LeakRecorder<?>> RECORDERS = new CopyOnWriteArrayList<>();
    /** Hints of buffers a test leaks on purpose: recorded, not logged (a {@code LEAK:} line means a bug). */
    private static final Set<String> EXPECTED = ConcurrentHashMap.newKeySet();

    /** Called by the factory below (and reflectively by Netty for {@code -Dio.netty.customResourceLeakDetector}). */
    public LeakRecorder(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        RECORDERS.add(this);
    }

    /** For {@code -Dio.netty.customResourceLeakDetector}, which looks for this constructor first. */
    public LeakRecorder(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        if (EXPECTED.stream().noneMatch(records::contains)) {
            super.reportTracedLeak(resourceType, records);
        }
        REPORTS.add("LEAK: " + resourceType + ".release() was not called before it's garbage-collected." + records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        super.reportUntracedLeak(resourceType);
        REPORTS.add("LEAK: " + resourceType + ".release() was not called before it's garbage-collected"
                + " (no access records: run with -Dio.netty.leakDetection.level=paranoid)");
    }

    /** Every leak reported in this JVM so far, oldest first. */
    public static List<String> reports() {
        return List.copyOf(REPORTS);
    }

    /**
     * A test leaks a buffer touched with {@code hint} on purpose (to check the guard): its report
     * is recorded but not logged, until {@link #forget(String)}.
     */
    public static void expect(String hint) {
        EXPECTED.add(hint);
    }

    /** Forgets the reports that contain {@code hint}, and that it was expected. */
    public static void forget(String hint) {
        REPORTS.removeIf(r -> r.contains(hint));
        EXPECTED.remove(hint);
    }

    /** Whether Netty has created a recorder in this JVM (it creates one per resource type it tracks). */
    static boolean inUse() {
        return !RECORDERS.isEmpty();
    }

    /**
     * Makes every recorder report what the GC has found so far: Netty looks for collected,
     * unreleased resources only when it starts tracking a new one, so each recorder tracks (and at
     * once closes) a probe object.
     */
    static void drain() {
        for (LeakRecorder<?> r : RECORDERS) {
            r.probe();
        }
    }

    private void probe() {
        @SuppressWarnings("unchecked")
        T probe = (T) new Object(); // never dereferenced as a T: the tracker only holds it
        ResourceLeakTracker<T> tracker = trackForcibly(probe);
        if (tracker != null) {
            tracker.close(probe);
        }
    }

    /** Makes Netty create recorders from now on; idempotent. */
    static void install() {
        if (!(ResourceLeakDetectorFactory.instance() instanceof Factory)) {
            ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new Factory());
        }
    }

    private static final class Factory extends ResourceLeakDetectorFactory {
        @Override
        @Deprecated
        @SuppressWarnings("deprecation")
        public <R> ResourceLeakDetector<R> newResourceLeakDetector(Class<R> resource, int samplingInterval,
                                                                   long maxActive) {
            return new LeakRecorder<>(resource, samplingInterval);
        }

        @Override
        public <R> ResourceLeakDetector<R> newResourceLeakDetector(Class<R> resource, int samplingInterval) {
            return new LeakRecorder<>(resource, samplingInterval);
        }
    }
}
