package dev.vireo.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The soak's readers of Prometheus text and /proc/PID/status, on captured text. */
class SoakSampleTest {

    private static final String METRICS = """
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="ZGC Old Generation"} 1.2E8
            jvm_memory_used_bytes{area="heap",id="ZGC Young Generation"} 3.0E7
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
            jvm_memory_used_bytes_total 9
            vireo_netty_direct_memory_bytes 1.6777216E7
            vireo_netty_allocator_memory_bytes{type="direct"} 4194304.0
            vireo_netty_allocator_memory_bytes{type="heap"} 1048576.0
            vireo_viewers 42.0
            """;

    @Test
    void sumsAMetricsSamplesWhoseLabelsPass() {
        assertThat(SoakSample.sum(METRICS, "jvm_memory_used_bytes", l -> l.contains("area=\"heap\""))).isEqualTo(1.5e8);
        assertThat(SoakSample.sum(METRICS, "vireo_netty_allocator_memory_bytes", l -> l.contains("type=\"direct\"")))
                .isEqualTo(4194304.0);
        assertThat(SoakSample.sum(METRICS, "vireo_netty_direct_memory_bytes", l -> true)).isEqualTo(16777216.0);
        assertThat(SoakSample.sum(METRICS, "vireo_viewers", l -> true)).isEqualTo(42.0);
    }

    @Test
    void anAbsentMetricOrAPrefixOfAnotherIsMinusOne() {
        assertThat(SoakSample.sum(METRICS, "vireo_streams", l -> true)).isEqualTo(-1);
        assertThat(SoakSample.sum(METRICS, "vireo_netty", l -> true)).as("a name prefix is not the metric").isEqualTo(-1);
        assertThat(SoakSample.sum("", "vireo_viewers", l -> true)).isEqualTo(-1);
    }

    @Test
    void readsProcStatusFields() {
        String status = "Name:\tjava\nThreads:\t57\nVmRSS:\t  923412 kB\n";
        assertThat(SoakSample.statusField(status, "VmRSS:")).isEqualTo(923412);
        assertThat(SoakSample.statusField(status, "Threads:")).isEqualTo(57);
        assertThat(SoakSample.statusField(status, "VmSwap:")).isEqualTo(-1);
    }
}
