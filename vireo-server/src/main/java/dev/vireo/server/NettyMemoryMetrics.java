package dev.vireo.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;

/**
 * Netty's own memory, which the JVM's buffer-pool gauges do not see (with Unsafe, Netty
 * allocates direct memory without a {@code Cleaner}): the direct bytes Netty has reserved in
 * all ({@code vireo_netty_direct_memory_bytes}) and what the default allocator's pools hold,
 * direct and heap ({@code vireo_netty_allocator_memory_bytes{type}}). Read at scrape time; the
 * soak bench samples them to see whether buffers accumulate.
 */
final class NettyMemoryMetrics {

    private NettyMemoryMetrics() {
    }

    static void bindTo(MeterRegistry registry) {
        Gauge.builder("vireo.netty.direct.memory", PlatformDependent::usedDirectMemory).baseUnit("bytes")
                .description("direct memory Netty has reserved (-1 when Netty does not count it)").register(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            Gauge.builder("vireo.netty.allocator.memory", p, a -> a.metric().usedDirectMemory())
                    .tag("type", "direct").baseUnit("bytes")
                    .description("memory the default allocator holds (pooled: arenas and caches)").register(registry);
            Gauge.builder("vireo.netty.allocator.memory", p, a -> a.metric().usedHeapMemory())
                    .tag("type", "heap").baseUnit("bytes")
                    .description("memory the default allocator holds (pooled: arenas and caches)").register(registry);
        }
    }
}
