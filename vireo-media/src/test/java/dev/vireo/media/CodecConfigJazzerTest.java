package dev.vireo.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.media.aac.AdtsHeader;
import dev.vireo.media.av1.Av1Obus;
import dev.vireo.media.av1.Av1SequenceHeader;
import dev.vireo.media.avc.AvcSps;
import dev.vireo.media.hevc.HevcSps;
import dev.vireo.media.mp4.CodecString;
import dev.vireo.media.mp4.InitSegment;
import dev.vireo.media.mp4.Mp4Track;
import dev.vireo.media.nal.NalUnits;
import dev.vireo.media.nal.Sei;
import dev.vireo.media.ts.OpusToc;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Coverage-guided fuzzing of what a publisher's codec configuration and access units go through
 * (issue 17): avcC/hvcC/av1C/AudioSpecificConfig/OpusHead as {@link CodecConfigs#describe} (which
 * never throws), {@link CodecString#of} (null for garbage) and the fMP4 init segment the LL-HLS
 * segmenter and the recorder build from a described config; the NAL units, SPS, SEI, AV1 OBUs,
 * ADTS headers and Opus TOCs of access units. Only {@link MediaFormatException} may escape the
 * access-unit path. The first byte picks the codec. Seeds in {@code CodecConfigJazzerTestInputs/}
 * (ffmpeg's x264, x265, libaom, AAC and Opus configurations and keyframes, {@code vectors/});
 * {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class CodecConfigJazzerTest {

    private static final Codec[] CONFIG_CODECS = {Codec.H264, Codec.H265, Codec.AV1, Codec.AAC, Codec.OPUS};
    private static final UUID ANY = UUID.fromString("dc45e9bd-e6d9-48b7-962c-d820d923eeef"); // x264's
    /** No leak tracking: the tests' paranoid level records a stack trace per write (500 inputs/s). */
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void config(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Codec codec = CONFIG_CODECS[(data[0] & 0xFF) % CONFIG_CODECS.length];
        ByteBuf config = Unpooled.wrappedBuffer(data, 1, data.length - 1);
        int reader = config.readerIndex();
        Optional<TrackInfo> info = CodecConfigs.describe(codec, config); // never throws
        assertThat(config.readerIndex()).as("describe leaves the indices").isEqualTo(reader);
        String codecs = CodecString.of(codec, config); // null for garbage, never throws
        assertThat(config.readerIndex()).as("the codec string leaves the indices").isEqualTo(reader);
        if (info.isEmpty()) {
            return;
        }
        if (codec.track() == TrackType.VIDEO) {
            assertThat(codecs).as("a described video config has a codec string").isNotNull();
        }
        // what Fmp4Packer.of builds from a config that describe() took
        TrackInfo t = info.get();
        byte[] bytes = ByteBufUtil.getBytes(config);
        Mp4Track track = codec.track() == TrackType.VIDEO
                ? new Mp4Track(1, codec, 90_000, bytes, t.width(), t.height(), 0, 0)
                : new Mp4Track(2, codec, codec == Codec.OPUS ? 48_000 : Math.max(1, t.sampleRate()), bytes, 0, 0,
                        t.channels(), t.sampleRate());
        ByteBuf out = ALLOC.heapBuffer(256);
        try {
            InitSegment.write(List.of(track), out);
        } catch (MediaFormatException expected) {
            // documented refusal: the segmenter and the recorder leave that track out
        } finally {
            out.release();
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void accessUnit(byte[] data) {
        if (data.length == 0) {
            return;
        }
        ByteBuf au = Unpooled.wrappedBuffer(data, 1, data.length - 1);
        try {
            switch ((data[0] & 0xFF) % 5) {
                case 0 -> nals(Codec.H264, au);
                case 1 -> nals(Codec.H265, au);
                case 2 -> obus(au);
                case 3 -> adts(au);
                default -> {
                    int samples = OpusToc.samples(au, au.readerIndex(), au.readableBytes());
                    assertThat(samples).isBetween(-1, 5760);
                }
            }
        } catch (MediaFormatException expected) {
            // documented refusal
        }
    }

    private static void nals(Codec codec, ByteBuf au) {
        // a MediaFrame payload: 4-byte lengths (RTMP/FLV, WHIP after depacketizing)
        try {
            for (ByteBuf nal : NalUnits.split(au.duplicate())) {
                nal(codec, nal);
            }
            NalUnits.isKeyframe(codec, au.duplicate());
            Sei.findUserData(codec, au.duplicate(), ANY);
            ByteBuf annexB = NalUnits.lengthPrefixedToAnnexB(ALLOC, au.duplicate());
            annexB.release();
        } catch (MediaFormatException expected) {
            // documented refusal of the length-prefixed reading; the Annex B one follows
        }
        // the same bytes as an Annex B stream (SRT/TS ingest)
        for (ByteBuf nal : NalUnits.splitAnnexB(au.duplicate())) {
            try {
                nal(codec, nal);
            } catch (MediaFormatException expected) {
                // documented refusal of one NAL unit
            }
        }
        ByteBuf lp = NalUnits.annexBToLengthPrefixed(ALLOC, au.duplicate());
        lp.release();
    }

    private static void nal(Codec codec, ByteBuf nal) {
        if (!nal.isReadable()) {
            return;
        }
        int type = NalUnits.type(codec, nal);
        if (Sei.isSei(codec, nal)) {
            Sei.parse(codec, nal.duplicate());
        } else if (codec == Codec.H264 && type == NalUnits.H264_SPS) {
            AvcSps.parse(ByteBufUtil.getBytes(nal));
        } else if (codec == Codec.H265 && type == NalUnits.H265_SPS) {
            HevcSps.parse(ByteBufUtil.getBytes(nal));
        }
    }

    private static void obus(ByteBuf tu) {
        List<Av1Obus.Obu> obus = Av1Obus.split(tu.duplicate());
        if (Av1Obus.hasSequenceHeader(obus)) {
            byte[] seq = Av1Obus.sequenceHeaderObu(tu.duplicate());
            assertThat(seq).isNotNull();
            Av1SequenceHeader.find(Unpooled.wrappedBuffer(seq));
        }
    }

    private static void adts(ByteBuf stream) {
        ByteBuf in = stream.duplicate();
        int frames = 0;
        while (in.readableBytes() >= AdtsHeader.SIZE && frames++ < 1024) {
            int start = in.readerIndex();
            AdtsHeader h = AdtsHeader.parse(in);
            assertThat(h.frameLength()).isGreaterThanOrEqualTo(AdtsHeader.SIZE);
            h.audioSpecificConfig();
            int next = start + h.frameLength();
            if (next > in.writerIndex()) {
                break;
            }
            in.readerIndex(next);
        }
    }
}
