package dev.vireo.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadTicksTest {

    @Test
    void threadNamesFoldPoolNumbersButKeepEventLoops() {
        assertThat(ThreadTicks.name("123 (ZWorker#3) S 1 2 3")).isEqualTo("ZWorker#3");
        assertThat(ThreadTicks.name("9 (a (b) c) R 1")).isEqualTo("a (b) c");
        assertThat(ThreadTicks.group("ZWorkerYoung#12")).isEqualTo("ZWorkerYoung##");
        assertThat(ThreadTicks.group("vireo-io-3-1")).isEqualTo("vireo-io-3-1");
        Map<String, Double> p = ThreadTicks.percent(Map.of("a", 0L, "b", 0L), Map.of("a", 100L, "b", 0L),
                1_000_000_000L, 1);
        assertThat(p).containsEntry("a", 100.0 * 100 / ProcFs.CLOCK_TICKS_PER_SECOND).containsKey("other");
    }
}
