package dev.vireo.webrtc.whip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.webrtc.rtcp.ReceptionStatistics;
import dev.vireo.webrtc.rtcp.ReportBlock;
import dev.vireo.webrtc.rtcp.RtcpCompound;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import dev.vireo.webrtc.rtcp.TransportCcRecorder;
import dev.vireo.webrtc.rtp.JitterBuffer;
import dev.vireo.webrtc.sdp.IngestCodecs;
import dev.vireo.webrtc.sdp.MediaSource;
import dev.vireo.webrtc.sdp.SdpException;
import dev.vireo.webrtc.sdp.SessionDescription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of WHIP ingest, on bytes: reorder buffer, NACK timing, feedback, codec choice. */
class WhipPiecesTest {

    private static final long MS = 1_000_000L;

    static String chromiumWhipOffer() throws IOException {
        try (InputStream in = WhipPiecesTest.class.getResourceAsStream("/sdp/chromium-sendonly-whip.sdp")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ByteBuf packet(int seq) {
        ByteBuf b = Unpooled.buffer(4);
        b.writeShort(seq);
        return b;
    }

    private static List<Integer> drain(JitterBuffer jb, long now) {
        List<Integer> out = new ArrayList<>();
        ByteBuf p;
        while ((p = jb.poll(now)) != null) {
            out.add(p.getUnsignedShort(0));
            p.release();
        }
        return out;
    }

    @Test
    void jitterBufferReordersAndWaitsForAGapThenSkipsIt() {
        JitterBuffer jb = new JitterBuffer(64, 50 * MS);
        jb.push(packet(65534), 65534, 0);
        jb.push(packet(0), 0, 1 * MS); // 65535 missing, across the wrap
        jb.push(packet(1), 1, 2 * MS);
        assertThat(drain(jb, 2 * MS)).containsExactly(65534);
        // the gap is NACKed at once, then not again before the retry interval
        assertThat(jb.nacks(2 * MS, 20 * MS, 100)).containsExactly(65535);
        assertThat(jb.nacks(10 * MS, 20 * MS, 100)).isEmpty();
        assertThat(jb.nacks(30 * MS, 20 * MS, 100)).containsExactly(65535);
        // the retransmission arrives in time: everything comes out in order, counted recovered
        jb.push(packet(65535), 65535, 35 * MS);
        assertThat(drain(jb, 35 * MS)).containsExactly(65535, 0, 1);
        assertThat(jb.recovered()).isEqualTo(1);
        assertThat(jb.lost()).isZero();
        // a gap that is never filled is skipped after the wait
        jb.push(packet(3), 3, 40 * MS);
        assertThat(drain(jb, 60 * MS)).isEmpty();
        assertThat(drain(jb, 91 * MS)).containsExactly(3);
        assertThat(jb.lost()).isEqualTo(1);
        // late and duplicate packets are refused
        assertThat(jb.push(packet(2), 2, 92 * MS)).isEqualTo(JitterBuffer.Outcome.TOO_LATE);
        jb.push(packet(4), 4, 92 * MS);
        assertThat(jb.push(packet(4), 4, 93 * MS)).isEqualTo(JitterBuffer.Outcome.DUPLICATE);
        jb.close();
    }

    @Test
    void jitterBufferStaysBoundedOnAJumpAndStopsNackingAfterTenTries() {
        JitterBuffer jb = new JitterBuffer(16, 1000 * MS);
        jb.push(packet(100), 100, 0);
        jb.push(packet(102), 102, 0);
        assertThat(drain(jb, 0)).containsExactly(100);
        for (int i = 0; i < JitterBuffer.MAX_NACKS; i++) {
            assertThat(jb.nacks(i * 100 * MS, 10 * MS, 10)).containsExactly(101);
        }
        assertThat(jb.nacks(5000 * MS, 10 * MS, 10)).isEmpty();
        jb.push(packet(5000), 5000, 1 * MS); // far ahead: the window moves, nothing leaks
        assertThat(jb.size()).isLessThanOrEqualTo(16);
        assertThat(drain(jb, 2000 * MS)).containsExactly(5000);
        jb.close();
    }

    @Test
    void transportCcFeedbackRoundTripsThroughTheRtcpParser() {
        TransportCcRecorder rec = new TransportCcRecorder(0);
        rec.record(10, 100 * MS);
        rec.record(12, 101 * MS); // 11 lost
        rec.record(13, 140 * MS);
        TransportCcFeedback fb = rec.feedback(1, 2);
        assertThat(fb.baseSequence()).isEqualTo(10);
        assertThat(fb.packetStatusCount()).isEqualTo(4);
        assertThat(fb.receivedCount()).isEqualTo(3);
        ByteBuf wire = Unpooled.buffer();
        RtcpCompound.write(wire, fb);
        List<RtcpPacket> parsed = RtcpCompound.parse(wire);
        TransportCcFeedback back = (TransportCcFeedback) parsed.getFirst();
        long[] arrivals = back.arrivalTimesMicros();
        assertThat(arrivals[0]).isEqualTo(100_000);
        assertThat(arrivals[1]).isEqualTo(-1);
        assertThat(arrivals[2]).isEqualTo(101_000);
        assertThat(arrivals[3]).isEqualTo(140_000);
        assertThat(rec.feedback(1, 2)).isNull(); // nothing new
        rec.record(14, 150 * MS);
        assertThat(rec.feedback(1, 2).baseSequence()).isEqualTo(14);
    }

    @Test
    void receptionStatisticsReportLossAndTheLastSenderReport() {
        ReceptionStatistics s = new ReceptionStatistics(42, 90_000);
        for (int seq = 0; seq < 100; seq++) {
            if (seq % 10 != 5) {
                s.onPacket(seq, seq * 3000L, seq * 33 * MS, true);
            }
        }
        s.onSenderReport(0x0001_0002_0003_0004L, 3300 * MS);
        ReportBlock b = s.reportBlock(3800 * MS);
        assertThat(b.ssrc()).isEqualTo(42);
        assertThat(b.cumulativeLost()).isEqualTo(10);
        assertThat(b.fractionLost()).isEqualTo(25); // 10/100 of 256
        assertThat(b.highestSequence()).isEqualTo(99);
        assertThat(b.lastSenderReport()).isEqualTo(0x0002_0003L);
        assertThat(b.delaySinceLastSenderReport()).isEqualTo(65536 / 2);
        assertThat(s.reportBlock(3900 * MS).fractionLost()).isZero(); // a new interval
    }

    @Test
    void h264AccessUnitsTakeTheParameterSetsOutIntoAConfigRecord() {
        byte[] sps = {0x67, 0x42, (byte) 0xc0, 0x1f, 0x11};
        byte[] pps = {0x68, (byte) 0xce, 0x3c, (byte) 0x80};
        ByteBuf au = Unpooled.buffer();
        au.writeInt(2).writeBytes(new byte[] {0x09, 0x10}); // AUD: dropped
        au.writeInt(sps.length).writeBytes(sps).writeInt(pps.length).writeBytes(pps);
        au.writeInt(3).writeBytes(new byte[] {0x65, 1, 2});
        au.writeInt(3).writeBytes(new byte[] {0x65, 3, 4}); // a second slice of the IDR
        H264AccessUnits units = new H264AccessUnits();
        H264AccessUnits.Result r = units.split(ByteBufAllocator.DEFAULT, au);
        assertThat(r.keyframe()).isTrue();
        assertThat(r.config()).isNotNull();
        AvcDecoderConfigurationRecord rec = AvcDecoderConfigurationRecord.parse(r.config());
        assertThat(rec.sps().getFirst()).isEqualTo(sps);
        assertThat(rec.pps().getFirst()).isEqualTo(pps);
        assertThat(r.frame().readableBytes()).isEqualTo(14);
        assertThat(r.frame().getByte(4)).isEqualTo((byte) 0x65);
        r.frame().release();
        r.config().release();
        // the same parameter sets again: no new config
        au.readerIndex(0);
        H264AccessUnits.Result again = units.split(ByteBufAllocator.DEFAULT, au);
        assertThat(again.config()).isNull();
        again.frame().release();
        au.release();
    }

    @Test
    void mediaClockUsesArrivalWithoutSenderReportsAndNeverGoesBack() {
        MediaClock clock = new MediaClock(0);
        MediaClock.Track video = clock.track(90_000);
        MediaClock.Track audio = clock.track(48_000);
        assertThat(video.millis(1_000_000, 100 * MS)).isEqualTo(100);
        assertThat(video.millis(1_000_000 + 9000, 999 * MS)).isEqualTo(200); // RTP time, not arrival
        assertThat(audio.millis(5000, 150 * MS)).isEqualTo(150);
        assertThat(video.millis(0xFFFF_FFFFL & (1_000_000 - 90_000), 300 * MS)).isEqualTo(200); // not back
        // a sender report re-anchors the track on the sender's clock (offset taken at the first report)
        long ntp = dev.vireo.webrtc.rtcp.NtpTime.fromUnixMillis(1_700_000_000_000L);
        audio.onSenderReport(ntp, 48_000 + 5000, 1150 * MS);
        assertThat(audio.fromSenderReports()).isTrue();
        assertThat(audio.millis(48_000 + 5000 + 4800, 1300 * MS)).isEqualTo(1250);
    }

    @Test
    void mediaClockReadsTimestampsAcrossTheirWrapForHoursWithoutSenderReports() {
        // OBS sends no sender report: the track stays on its first packet's arrival. RTP timestamps
        // wrap every 13.3 h at 90 kHz; read against that first packet alone, one 6.6 h later read
        // as going back, and every later time stuck at the last one (WhipReceiveJazzerTest#clock).
        MediaClock clock = new MediaClock(0);
        MediaClock.Track video = clock.track(90_000);
        MediaClock.Track audio = clock.track(48_000);
        long v = 0xFFF0_0000L;
        long a = 12_345;
        assertThat(video.millis(v, 100 * MS)).isEqualTo(100);
        assertThat(audio.millis(a, 100 * MS)).isEqualTo(100);
        for (int hour = 1; hour <= 30; hour++) {
            for (int i = 0; i < 12; i++) { // five-minute steps, as frames would go
                v = v + 27_000_000L & 0xFFFF_FFFFL;
                a = a + 14_400_000L & 0xFFFF_FFFFL;
            }
            assertThat(video.millis(v, 0)).as("video after %d h", hour).isEqualTo(100 + hour * 3_600_000L);
            assertThat(audio.millis(a, 0)).as("audio after %d h", hour).isEqualTo(100 + hour * 3_600_000L);
        }
        // a frame a third of a second after the last one
        assertThat(video.millis(v + 30_000 & 0xFFFF_FFFFL, 0)).isEqualTo(100 + 30 * 3_600_000L + 333);
    }

    @Test
    void ingestTakesChromiumsH264AndOpusAndRefusesVp8OnlyNamingWhatItTakes() throws IOException {
        SessionDescription offer = SessionDescription.parse(chromiumWhipOffer());
        IngestCodecs codecs = IngestCodecs.choose(offer);
        assertThat(codecs.video()).isInstanceOf(MediaSource.H264.class);
        assertThat(((MediaSource.H264) codecs.video()).profileLevelId().profileIdc()).isEqualTo(0x42);
        assertThat(codecs.audio()).isEqualTo(new MediaSource.Opus(2));

        String vp8Only = chromiumWhipOffer().replaceAll("(?m)^a=rtpmap:(\\d+) (H264|AV1)/90000", "a=rtpmap:$1 VP9/90000");
        assertThatThrownBy(() -> IngestCodecs.choose(SessionDescription.parse(vp8Only)))
                .isInstanceOf(SdpException.class)
                .hasMessageContaining("VP8").hasMessageContaining("H.264").hasMessageContaining("AV1")
                .hasMessageContaining("Opus");
    }
}
