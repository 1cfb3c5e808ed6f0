package dev.vireo.media.ts;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link TsMuxer} fed a publisher's frames (issue 17): what the HLS TS
 * segmenter, the SRT player and the transcoder's input write per stream. The input is a run of
 * codec configurations and access units with fuzzed time stamps, sizes and flags. Only
 * {@link MediaFormatException} may escape; the output is whole 188-byte packets with the sync
 * byte; every buffer the muxer allocates is released and the samples are not (the caller owns
 * them); and {@link TsDemuxer} reads the output back without any transport-level problem
 * (continuity, PSI, PES framing): only what the fuzzed payloads themselves make unusable.
 *
 * <p>Input: byte 0 picks the codecs (video H.264/H.265/none × audio AAC/Opus/none), then records
 * {@code flags, dts delta (2 bytes, signed, 90 kHz), cts (1 byte signed, × 10 ms), length (2),
 * payload}; flags: 1 audio, 2 config, 4 keyframe, 8 the delta is × 2^17 (jumps and the 33-bit
 * wrap). Seeds in {@code TsMuxerJazzerTestInputs/} (the frames of ffmpeg's H.264/AAC FLV,
 * {@code vectors/h264_aac.flv}; the HEVC vector with the Opus head); {@code JAZZER_FUZZ=1}
 * fuzzes (docs/RELIABILITY.md).
 */
class TsMuxerJazzerTest {

    private static final Codec[] VIDEO = {Codec.H264, Codec.H265, null};
    private static final Codec[] AUDIO = {Codec.AAC, Codec.OPUS, null};
    private static final int MAX_RECORDS = 256;
    /** Problems a demuxer may report for payloads that are garbage to begin with. */
    private static final List<String> CONTENT_PROBLEMS = List.of("access unit dropped", "parameter sets unusable",
            "before the first parameter sets", "Opus packet with an invalid TOC", "Opus packet of 0 bytes");

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void mux(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Codec video = VIDEO[(data[0] & 0xFF) % 3];
        Codec audio = AUDIO[(data[0] & 0xFF) / 3 % 3];
        if (video == null && audio == null) {
            audio = Codec.AAC;
        }
        TsMuxer muxer = new TsMuxer(video, audio);
        Tracking alloc = new Tracking();
        ByteBuf out = alloc.heapBuffer(4096);
        List<ByteBuf> payloads = new ArrayList<>();
        try {
            long dts = 0;
            int pos = 1;
            for (int n = 0; n < MAX_RECORDS && pos + 6 <= data.length; n++) {
                int flags = data[pos] & 0xFF;
                int delta = (short) (((data[pos + 1] & 0xFF) << 8) | (data[pos + 2] & 0xFF));
                int cts = data[pos + 3] * 900;
                int len = Math.min(((data[pos + 4] & 0xFF) << 8) | (data[pos + 5] & 0xFF), data.length - pos - 6);
                pos += 6;
                dts += (flags & 8) != 0 ? (long) delta << 17 : delta;
                Codec codec = (flags & 1) != 0 ? audio : video;
                if (codec == null) {
                    codec = (flags & 1) != 0 ? video : audio;
                }
                ByteBuf payload = UnpooledByteBufAllocator.DEFAULT.heapBuffer(len).writeBytes(data, pos, len);
                pos += len;
                payloads.add(payload);
                TsSample sample = (flags & 2) != 0 ? TsSample.config(codec, dts, payload)
                        : TsSample.media(codec, dts + cts, dts, (flags & 4) != 0, payload);
                int reader = payload.readerIndex();
                try {
                    muxer.write(sample, out);
                } catch (MediaFormatException refused) {
                    // documented: a configuration or sample that cannot be expressed in TS
                }
                assertThat(payload.refCnt()).as("the muxer does not release the sample").isEqualTo(1);
                assertThat(payload.readerIndex()).as("the muxer leaves the sample's indices").isEqualTo(reader);
                alloc.assertReleasedBut(out);
                assertThat(out.readableBytes() % TsPacket.SIZE).as("whole packets").isZero();
            }
            for (int p = 0; p < out.writerIndex(); p += TsPacket.SIZE) {
                assertThat(out.getByte(p)).as("sync byte of packet %d", p / TsPacket.SIZE).isEqualTo((byte) 0x47);
            }
            demuxBack(out);
        } finally {
            out.release();
            payloads.forEach(ByteBuf::release);
        }
    }

    private static void demuxBack(ByteBuf ts) {
        List<String> problems = new ArrayList<>();
        TsDemuxer.Listener listener = new TsDemuxer.Listener() {
            @Override
            public void onSample(TsSample sample) {
                sample.release();
            }

            @Override
            public void onProblem(String description) {
                problems.add(description);
            }
        };
        try (TsDemuxer d = new TsDemuxer(listener, new UnpooledByteBufAllocator(false, true), 1 << 24)) {
            d.feed(ts.duplicate());
            d.flush();
        }
        for (String p : problems) {
            assertThat(CONTENT_PROBLEMS.stream().anyMatch(p::contains))
                    .as("the muxer's output demuxes without transport problems: %s", p).isTrue();
        }
    }

    /** Remembers every buffer it makes (heap, untracked), to check the muxer's scratch buffers are released. */
    private static final class Tracking extends AbstractByteBufAllocator {
        private final List<ByteBuf> made = new ArrayList<>();

        Tracking() {
            super(false);
        }

        @Override
        public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            made.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        void assertReleasedBut(ByteBuf kept) {
            for (ByteBuf b : made) {
                if (b != kept) {
                    assertThat(b.refCnt()).as("a buffer the muxer allocated is released").isZero();
                }
            }
            made.removeIf(b -> b != kept);
        }
    }
}
