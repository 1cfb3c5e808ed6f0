package dev.vireo.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the {@code Range} header ({@link ByteRange#parse}, RFC 9110 §14.1.2;
 * issue 17), which the recording download answers: it never throws, and a {@code Part} it asks for
 * lies inside the representation (first ≥ 0, length ≥ 1, last &lt; size). Input: the size in the
 * first 6 bytes, then the header. Seeds in {@code ByteRangeJazzerTestInputs/} (the ranges curl,
 * Chromium's and ffmpeg's players send); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class ByteRangeJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void parse(byte[] data) {
        long size = 0;
        int n = Math.min(6, data.length);
        for (int i = 0; i < n; i++) {
            size = (size << 8) | (data[i] & 0xFF);
        }
        String header = data.length <= 6 ? null : new String(data, 6, data.length - 6, StandardCharsets.ISO_8859_1);
        ByteRange.Ask ask = ByteRange.parse(header, size);
        if (ask instanceof ByteRange.Part(ByteRange r)) {
            assertThat(r.first()).as("first of %s in %d", header, size).isNotNegative();
            assertThat(r.length()).as("length of %s in %d", header, size).isPositive();
            assertThat(r.last()).as("last of %s in %d", header, size).isLessThan(size);
            assertThat(r.contentRange(size)).startsWith("bytes ");
        }
    }
}
