package dev.vireo.cluster.relay;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of the relay frame decoder ({@link RelayFrameReader}): it decodes or
 * throws {@link RelayProtocolException}, nothing else, never consumes a partial frame and never
 * reads past a limit. Seeds in {@code RelayFrameJazzerTestInputs/} (a handshake and media frames);
 * {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class RelayFrameJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void read(byte[] data) {
        ByteBuf in = Unpooled.wrappedBuffer(data);
        // the first byte picks the limits: before or after authentication
        RelayLimits limits = data.length > 0 && (data[0] & 1) == 1 ? RelayLimits.media() : RelayLimits.HANDSHAKE;
        try {
            RelayMessage m;
            while (true) {
                int before = in.readerIndex();
                m = RelayFrameReader.read(in, limits);
                if (m == null) {
                    if (in.readerIndex() != before) {
                        throw new IllegalStateException("a partial frame was consumed");
                    }
                    break;
                }
                if (m instanceof RelayMessage.Media media) {
                    media.toFrame().release();
                } else {
                    m.release();
                }
            }
        } catch (RelayProtocolException expected) {
            // documented refusal
        } finally {
            in.release();
        }
    }
}
