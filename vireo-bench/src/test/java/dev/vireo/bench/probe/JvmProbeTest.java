package dev.vireo.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JvmProbeTest {

    private static final String BEFORE = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         20000        1600000  [B (java.base@25)
               2:         10000         240000  java.lang.String (java.base@25)
            Total         30000        1840000
            """;

    private static final String AFTER = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         30000        2600000  [B (java.base@25)
               2:          5000         400000  dev.vireo.rtmp.PlaySession
               3:         10000         240000  java.lang.String (java.base@25)
            Total         45000        3240000
            """;

    @Test
    void totalIsLiveHeap() {
        JvmProbe.LiveHeap h = JvmProbe.parseClassHistogram(AFTER);
        assertThat(h.totalBytes()).isEqualTo(3_240_000);
        assertThat(h.instances()).isEqualTo(45_000);
        assertThat(h.bytesByClass()).containsEntry("dev.vireo.rtmp.PlaySession", 400_000L);
    }

    @Test
    void growthListsWhatGrewLargestFirst() {
        JvmProbe.LiveHeap before = JvmProbe.parseClassHistogram(BEFORE);
        JvmProbe.LiveHeap after = JvmProbe.parseClassHistogram(AFTER);
        assertThat(after.growthSince(before, 5)).containsExactly(
                new JvmProbe.ClassGrowth("[B", 1_000_000),
                new JvmProbe.ClassGrowth("dev.vireo.rtmp.PlaySession", 400_000));
    }

    @Test
    void rejectsOutputWithoutTotal() {
        assertThatThrownBy(() -> JvmProbe.parseClassHistogram("12345:\nCould not find process\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
