package dev.vireo.media.flv;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.media.MediaFormatException;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * Coverage-guided fuzzing of the FLV file reader and tag bodies (issue 17): only
 * {@link MediaFormatException} may escape. Seeds in {@code FlvJazzerTestInputs/} (the head of a
 * real ffmpeg FLV); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class FlvJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void readFile(byte[] data) {
        List<FlvTag> tags = List.of();
        try {
            tags = FlvReader.readAll(Unpooled.wrappedBuffer(data));
            for (FlvTag t : tags) {
                try {
                    if (t.type() == FlvTag.VIDEO) {
                        FlvVideoPacket.parse(t.body());
                    } else if (t.type() == FlvTag.AUDIO) {
                        FlvAudioPacket.parse(t.body());
                    }
                } catch (MediaFormatException expected) {
                    // documented refusal of one tag body
                }
            }
        } catch (MediaFormatException expected) {
            // documented refusal
        } finally {
            tags.forEach(ReferenceCountUtil::release);
        }
    }
}
