package dev.vireo.webrtc.whip;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.nal.NalUnits;
import dev.vireo.webrtc.rtp.RtpException;
import dev.vireo.webrtc.rtp.RtpHeader;
import dev.vireo.webrtc.sdp.SimulcastOffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of WHIP ingest after the depacketizers (issue 17; the depacketizers
 * themselves are {@code RtpJazzerTest}'s): {@link H264AccessUnits}, which takes the parameter sets
 * out of a publisher's access units into the stream's configuration, and {@link SimulcastDemux},
 * which tells a simulcast packet's layer by its rid extensions and SSRC.
 *
 * <p>{@code accessUnits}: the input is a run of access units ({@code length (2), bytes}, as
 * {@code H264Depacketizer} rebuilds them: 4-byte length-prefixed NAL units). Never throws; a frame
 * holds the input's other NAL units, well-formed, without SPS, PPS or delimiter, and is a keyframe
 * exactly when it holds an IDR slice; a configuration record parses again with one SPS and one PPS;
 * the access unit is not released or moved, and what it gives is owned by the caller (released
 * here, down to 0). Seeds: ffmpeg's x264 stream ({@code rtp/testsrc-320x240.h264}) cut into
 * access units.
 *
 * <p>{@code simulcast}: byte 0 picks the layers (1 to 3 of q/h/f) and the extension ids; then
 * packets ({@code flags (1: a retransmission), length (2), bytes}). A packet's layer is -1 or one
 * of the offer's; a media packet routed to a layer makes its SSRC that layer's; no two layers
 * share an SSRC; every -1 is counted. Seeds: packets as Chromium sends its three layers.
 * {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class WhipIngestJazzerTest {

    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);
    private static final int MAX_UNITS = 64;

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void accessUnits(byte[] data) {
        H264AccessUnits units = new H264AccessUnits();
        int pos = 0;
        for (int n = 0; n < MAX_UNITS && pos + 2 <= data.length; n++) {
            int len = Math.min(((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF), data.length - pos - 2);
            pos += 2;
            ByteBuf au = ALLOC.heapBuffer(len).writeBytes(data, pos, len);
            pos += len;
            boolean hadConfig = units.hasConfig();
            H264AccessUnits.Result r = units.split(ALLOC, au);
            try {
                assertThat(au.refCnt()).as("the access unit is the caller's").isEqualTo(1);
                assertThat(au.readerIndex()).isZero();
                assertThat(au.writerIndex()).isEqualTo(len);
                if (r.frame() != null) {
                    assertThat(r.frame().readableBytes()).isBetween(1, len);
                    boolean idr = false;
                    for (ByteBuf nal : NalUnits.split(r.frame().duplicate())) {
                        assertThat(nal.isReadable()).isTrue();
                        int type = nal.getUnsignedByte(nal.readerIndex()) & 0x1F;
                        assertThat(type).as("parameter sets and delimiters are taken out")
                                .isNotIn(NalUnits.H264_SPS, NalUnits.H264_PPS, NalUnits.H264_AUD);
                        idr |= type == NalUnits.H264_IDR;
                    }
                    assertThat(r.keyframe()).as("a keyframe holds an IDR slice").isEqualTo(idr);
                } else {
                    assertThat(r.keyframe()).isFalse();
                }
                if (r.config() != null) {
                    assertThat(units.hasConfig()).isTrue();
                    AvcDecoderConfigurationRecord c = AvcDecoderConfigurationRecord.parse(r.config().duplicate());
                    assertThat(c.sps()).hasSize(1);
                    assertThat(c.pps()).hasSize(1);
                } else {
                    assertThat(units.hasConfig()).isEqualTo(hadConfig);
                }
            } finally {
                au.release();
                if (r.frame() != null) {
                    assertThat(r.frame().release()).as("the frame is the caller's alone").isTrue();
                }
                if (r.config() != null) {
                    assertThat(r.config().release()).as("the configuration is the caller's alone").isTrue();
                }
            }
        }
    }

    private static final List<String> RIDS = List.of("q", "h", "f");

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void simulcast(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int layers = 1 + (data[0] & 0xFF) % 3;
        int ridId = 1 + ((data[0] & 0xFF) >>> 2) % 14; // RFC 8285: one-byte ids 1-14, two-byte up to 255
        int repairedRidId = (data[0] & 0x80) != 0 ? 0 : 1 + ridId % 14;
        List<Boolean> paused = new ArrayList<>();
        List<List<Integer>> pts = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            paused.add(false);
            pts.add(List.of());
        }
        SimulcastDemux demux = new SimulcastDemux(new SimulcastOffer(RIDS.subList(0, layers), paused, ridId,
                repairedRidId, 9, pts));
        long unrouted = 0;
        int pos = 1;
        for (int n = 0; n < MAX_UNITS && pos + 3 <= data.length; n++) {
            boolean rtx = (data[pos] & 1) != 0;
            int len = Math.min(((data[pos + 1] & 0xFF) << 8) | (data[pos + 2] & 0xFF), data.length - pos - 3);
            pos += 3;
            ByteBuf packet = Unpooled.wrappedBuffer(data, pos, len);
            pos += len;
            RtpHeader h;
            try {
                h = RtpHeader.parse(packet);
            } catch (RtpException refused) {
                continue; // the session drops it before the demux
            }
            int layer = rtx ? demux.layerOfRetransmission(packet, h) : demux.layerOf(packet, h);
            assertThat(packet.readerIndex()).isZero();
            assertThat(layer).isBetween(-1, layers - 1);
            if (layer < 0) {
                unrouted++;
            } else if (!rtx) {
                assertThat(demux.ssrc(layer)).as("a routed packet's SSRC is its layer's").isEqualTo(h.ssrc());
            }
            assertThat(demux.unrouted()).isEqualTo(unrouted);
            Set<Integer> bound = new HashSet<>();
            for (int i = 0; i < layers; i++) {
                if (demux.ssrc(i) != 0) {
                    assertThat(bound.add(demux.ssrc(i))).as("one layer per SSRC").isTrue();
                }
            }
        }
    }
}
