package dev.vireo.media.amf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of the AMF0 and AMF3 readers (issue 17). A plain test run replays the
 * seed corpus in {@code AmfJazzerTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 * Only {@link AmfException} may escape; anything else (or OOM, or a hang) is a finding.
 */
class AmfJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void amf0(byte[] data) {
        ByteBuf in = Unpooled.wrappedBuffer(data);
        try {
            Amf0Reader.readAll(in);
        } catch (AmfException expected) {
            // documented refusal
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void amf3(byte[] data) {
        ByteBuf in = Unpooled.wrappedBuffer(data);
        try {
            while (in.isReadable()) {
                Amf3Reader.read(in);
            }
        } catch (AmfException expected) {
            // documented refusal
        }
    }
}
