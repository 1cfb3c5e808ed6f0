package dev.vireo.webrtc.whip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.MediaFrame;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.rtp.JitterBuffer;
import dev.vireo.webrtc.rtp.RtpHeader;
import dev.vireo.webrtc.rtp.RtxPacket;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.sdp.AnswerBuilder;
import dev.vireo.webrtc.sdp.IngestCodecs;
import dev.vireo.webrtc.sdp.NegotiatedMedia;
import dev.vireo.webrtc.sdp.SdpCandidate;
import dev.vireo.webrtc.sdp.SessionDescription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RTX on ingest (RFC 4588): the WHIP answer accepts the publisher's rtx for its video, a
 * retransmission on the RTX payload type is restored under its original sequence number into the
 * video's reorder buffer, and the NACK round trip it measures sets how long gaps are waited for.
 */
class WhipRtxTest {

    private static final long MS = 1_000_000L;
    private static final int SSRC = 0x1234_5678;
    private static final int RTX_SSRC = 0x0BAD_CAFE;
    /** x264's parameter sets for 640x360 High profile, level 3.0 (as in the WHEP tests). */
    private static final byte[] SPS = {0x67, 0x64, 0x00, 0x1e, (byte) 0xac, (byte) 0xb2, 0x01, 0x40, 0x5f, (byte) 0xf2,
        (byte) 0xe0, 0x22, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00, 0x79, 0x1e, 0x2c, 0x5c, (byte) 0x90};
    private static final byte[] PPS = {0x68, (byte) 0xeb, (byte) 0xc3, (byte) 0xcb, 0x22, (byte) 0xc0};

    private static Answer answer() throws Exception {
        SessionDescription offer = SessionDescription.parse(WhipPiecesTest.chromiumWhipOffer());
        IngestCodecs codecs = IngestCodecs.choose(offer);
        return new AnswerBuilder(offer).receiving()
                .iceCredentials("ufrag0001", "password0123456789abcdef")
                .fingerprint(CertificateFingerprint.parse("sha-256 " + "AB:".repeat(31) + "AB"))
                .candidates(List.of(SdpCandidate.udpHost("1", "127.0.0.1", 50000, 65535)))
                .video(codecs.video(), 1, 2)
                .audio(codecs.audio(), 3)
                .build();
    }

    private static ByteBuf rtp(int pt, int seq, long ts, int ssrc, boolean marker, byte[] payload) {
        ByteBuf b = Unpooled.buffer();
        RtpHeader.write(b, marker, pt, seq, ts, ssrc);
        b.writeBytes(payload);
        return b;
    }

    @Test
    void theAnswerAcceptsTheOfferedRtxForTheVideoWithoutSsrcsOfOurs() throws Exception {
        Answer answer = answer();
        NegotiatedMedia video = answer.video().orElseThrow();
        assertThat(video.hasRtx()).isTrue();
        assertThat(video.rtxSsrc()).isZero();
        assertThat(answer.sdp()).contains("a=rtpmap:" + video.rtxPayloadType() + " rtx/90000",
                        "a=fmtp:" + video.rtxPayloadType() + " apt=" + video.payloadType(), "a=recvonly")
                .doesNotContain("a=ssrc", "a=msid:");
        assertThat(answer.audio().orElseThrow().hasRtx()).isFalse();
    }

    @Test
    void aRetransmissionOnRtxFillsTheGapUnderItsOriginalSequenceNumber() throws Exception {
        Answer answer = answer();
        NegotiatedMedia v = answer.video().orElseThrow();
        ReceiveTracks tracks = new ReceiveTracks(answer, ByteBufAllocator.DEFAULT, new MediaClock(0));
        ReceiveTrack video = tracks.video();
        List<MediaFrame> out = new ArrayList<>();
        try {
            int pt = v.payloadType();
            // SPS, PPS, IDR (lost on the way), then a P slice of the next frame
            ByteBuf[] sent = {
                rtp(pt, 100, 9000, SSRC, false, SPS),
                rtp(pt, 101, 9000, SSRC, false, PPS),
                rtp(pt, 102, 9000, SSRC, true, new byte[] {0x65, (byte) 0x88, 0x01, 0x02}),
                rtp(pt, 103, 12000, SSRC, true, new byte[] {0x41, (byte) 0x9a, 0x03, 0x04}),
            };
            for (int i : new int[] {0, 1, 3}) {
                ByteBuf p = sent[i];
                assertThat(tracks.route(p, RtpHeader.parse(p))).isSameAs(video);
                video.onPacket(p, RtpHeader.parse(p), 10 * MS + i * MS, false);
                video.drain(10 * MS + i * MS, out::add);
            }
            JitterBuffer buffer = video.buffer();
            assertThat(buffer.gapsNoticed()).isEqualTo(1);
            assertThat(buffer.nacks(13 * MS, 40 * MS, 10)).containsExactly(102);
            assertThat(out).isEmpty(); // waiting for the IDR

            // a padding-only RTX packet (a bandwidth probe) restores nothing
            ByteBuf padding = Unpooled.buffer();
            RtpHeader.write(padding, false, v.rtxPayloadType(), 7, 9000, RTX_SSRC);
            padding.setByte(0, padding.getByte(0) | 0x20);
            padding.writeZero(3).writeByte(4);
            RtpHeader paddingHeader = RtpHeader.parse(padding);
            assertThat(tracks.isVideoRtx(paddingHeader)).isTrue();
            assertThat(tracks.route(padding, paddingHeader)).isNull();
            assertThat(tracks.unwrapRtx(padding, paddingHeader)).isNull();
            padding.release();

            // the retransmission, 53 ms after the NACK, on the RTX SSRC with its own sequence number
            ByteBuf rtx = Unpooled.buffer();
            RtxPacket.write(rtx, sent[2], v.rtxPayloadType(), 8, RTX_SSRC);
            sent[2].release();
            ByteBuf original = tracks.unwrapRtx(rtx, RtpHeader.parse(rtx));
            rtx.release();
            RtpHeader restored = RtpHeader.parse(original);
            assertThat(restored.sequenceNumber()).isEqualTo(102);
            assertThat(restored.ssrc()).isEqualTo(SSRC);
            assertThat(restored.payloadType()).isEqualTo(pt);
            video.onPacket(original, restored, 66 * MS, true);
            video.drain(66 * MS, out::add);

            assertThat(out).extracting(MediaFrame::isConfig).containsExactly(true, false, false);
            assertThat(out.get(1).isKeyframe()).isTrue();
            assertThat(buffer.recovered()).isEqualTo(1);
            assertThat(buffer.lost()).isZero();
            assertThat(buffer.nackRttNanos()).isEqualTo(53 * MS);
            assertThat(tracks.rtxReceived()).isEqualTo(1);
            assertThat(tracks.rtxPadding()).isEqualTo(1);
            assertThat(video.keyframeNeeded()).isFalse();
        } finally {
            out.forEach(MediaFrame::release);
            tracks.close();
        }
    }

    @Test
    void gapsAreWaitedForThreeNackRoundTripsWithinBounds() {
        // jitter alone: 4 x jitter + 100 ms, at least 150 ms
        assertThat(ReceiveTrack.nackWaitNanos(0, -1)).isEqualTo(ReceiveTrack.MIN_WAIT_NANOS);
        assertThat(ReceiveTrack.nackWaitNanos(20 * MS, -1)).isEqualTo(180 * MS);
        // a slow sender's measured NACK round trip: three rounds
        assertThat(ReceiveTrack.nackWaitNanos(0, 90 * MS)).isEqualTo(270 * MS);
        // never past the bound, so a wait alone does not freeze the picture for 500 ms
        assertThat(ReceiveTrack.nackWaitNanos(0, 400 * MS)).isEqualTo(ReceiveTrack.MAX_WAIT_NANOS);
        assertThat(ReceiveTrack.MAX_WAIT_NANOS).isLessThan(500 * MS);
    }
}
