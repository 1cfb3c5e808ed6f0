package dev.vireo.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The leak guard sees a buffer dropped without release(), and says where it was used. */
class LeakGuardTest {

    @Test
    void aBufferDroppedWithoutReleaseIsReportedWithItsRecords() {
        assumeTrue(ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID,
                "run with -Dio.netty.leakDetection.level=paranoid (the root pom's surefire setting)");
        String marker = "leak-guard-self-test-" + UUID.randomUUID();
        LeakRecorder.expect(marker); // recorded, not logged: a LEAK line in the build's output is a bug
        try {
            dropUnreleased(marker);
            Await.until(Duration.ofSeconds(30), "Netty's report of the dropped buffer",
                    () -> LeakGuard.collect().stream().anyMatch(r -> r.contains(marker)));
            List<String> ours = LeakRecorder.reports().stream().filter(r -> r.contains(marker)).toList();
            assertThat(ours).singleElement().satisfies(r -> assertThat(r)
                    .startsWith("LEAK: ByteBuf.release() was not called")
                    .contains("LeakGuardTest.dropUnreleased"));
            assertThat(LeakGuard.describe(ours)).startsWith("Netty's leak detector reported 1 leak in this module's test run")
                    .contains(marker);
        } finally {
            LeakRecorder.forget(marker); // leaked on purpose: not the run's failure
        }
    }

    @Test
    void theModeIsFailUnlessSaidOtherwise() {
        String before = System.getProperty(LeakGuard.MODE_PROPERTY);
        try {
            System.clearProperty(LeakGuard.MODE_PROPERTY);
            assertThat(LeakGuard.mode()).isEqualTo(LeakGuard.Mode.FAIL);
            System.setProperty(LeakGuard.MODE_PROPERTY, "report");
            assertThat(LeakGuard.mode()).isEqualTo(LeakGuard.Mode.REPORT);
            System.setProperty(LeakGuard.MODE_PROPERTY, "off");
            assertThat(LeakGuard.mode()).isEqualTo(LeakGuard.Mode.OFF);
            System.setProperty(LeakGuard.MODE_PROPERTY, "fial");
            assertThat(LeakGuard.mode()).as("a typo must not switch the guard off").isEqualTo(LeakGuard.Mode.FAIL);
        } finally {
            if (before == null) {
                System.clearProperty(LeakGuard.MODE_PROPERTY);
            } else {
                System.setProperty(LeakGuard.MODE_PROPERTY, before);
            }
        }
    }

    /** A direct buffer, touched with {@code marker}, then dropped: nothing refers to it after this returns. */
    private static void dropUnreleased(String marker) {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
        b.writeLong(42);
        b.touch(marker);
    }
}
