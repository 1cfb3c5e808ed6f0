package dev.vireo.srt.streamid;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of {@link StreamId#parse} (issue 17): only {@link StreamIdException}
 * escapes. Seeds in {@code StreamIdJazzerTestInputs/} (what srt-live-transmit and ffmpeg send);
 * {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class StreamIdJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void parse(byte[] data) {
        try {
            StreamId.parse(new String(data, StandardCharsets.UTF_8));
        } catch (StreamIdException expected) {
            // documented refusal (with its reject code)
        }
    }
}
