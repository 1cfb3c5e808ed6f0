package dev.vireo.rtmp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the RTMP {@link ChunkDecoder} (issue 17): it decodes or throws
 * {@link RtmpProtocolException}, nothing else, and always consumes or waits (no loop). Seeds in
 * {@code ChunkDecoderJazzerTestInputs/} (a connect command in chunks); {@code JAZZER_FUZZ=1} fuzzes
 * (docs/RELIABILITY.md).
 */
class ChunkDecoderJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void decode(byte[] data) {
        ChunkDecoder decoder = new ChunkDecoder(new UnpooledByteBufAllocator(false, true),
                new ChunkDecoder.Limits(1 << 16, 1 << 16, 64));
        List<RtmpMessage> out = new ArrayList<>();
        ByteBuf in = Unpooled.buffer();
        try {
            // two TCP reads, split where the first byte says
            int split = data.length == 0 ? 0 : (data[0] & 0xFF) * data.length / 256;
            in.writeBytes(data, 0, split);
            decoder.decode(in, out);
            in.discardReadBytes();
            in.writeBytes(data, split, data.length - split);
            int before;
            do {
                before = in.readableBytes();
                decoder.decode(in, out);
            } while (in.readableBytes() > 0 && in.readableBytes() < before);
        } catch (RtmpProtocolException expected) {
            // documented refusal
        } finally {
            in.release();
            out.forEach(RtmpMessage::release);
            decoder.release();
        }
    }
}
