package dev.vireo.media.ts;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * Coverage-guided fuzzing of {@link TsDemuxer} (issue 17): the demuxer never throws (damage goes
 * to {@code onProblem}), for input fed whole or in two pieces. Seeds in {@code TsJazzerTestInputs/}
 * (the first packets of real ffmpeg streams); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class TsJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void demux(byte[] data) {
        TsDemuxer.Listener listener = TsSample::release;
        ByteBuf acc = Unpooled.buffer();
        try (TsDemuxer d = new TsDemuxer(listener, new UnpooledByteBufAllocator(false, true), 1 << 16)) {
            int split = data.length == 0 ? 0 : (data[0] & 0xFF) * data.length / 256;
            acc.writeBytes(data, 0, split);
            d.feed(acc);
            acc.discardReadBytes();
            acc.writeBytes(data, split, data.length - split);
            d.feed(acc);
            d.flush();
        } finally {
            acc.release();
        }
    }
}
