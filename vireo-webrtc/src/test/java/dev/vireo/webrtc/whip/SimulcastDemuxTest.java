package dev.vireo.webrtc.whip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.webrtc.rtp.RtpHeader;
import dev.vireo.webrtc.sdp.SimulcastOffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 8852: simulcast packets routed to their layer by the rid extensions, then by SSRC. */
class SimulcastDemuxTest {

    private static final SimulcastOffer OFFER = new SimulcastOffer(List.of("q", "h", "f"), List.of(false, false, false),
            10, 11, 9, List.of(List.of(), List.of(), List.of()));

    /** An RTP packet with a one-byte header extension block (RFC 8285 §4.2) holding {@code id} = {@code value}. */
    static ByteBuf packet(int ssrc, int seq, int id, String value) {
        ByteBuf b = Unpooled.buffer();
        RtpHeader.write(b, false, 102, seq, 9000, ssrc);
        if (value != null) {
            byte[] v = value.getBytes(StandardCharsets.US_ASCII);
            int words = (1 + v.length + 3) / 4 + 1; // a mid element first, as Chromium sends
            b.setByte(0, b.getByte(0) | 0x10);
            b.writeShort(RtpHeader.ONE_BYTE_PROFILE).writeShort(words);
            int start = b.writerIndex();
            b.writeByte(9 << 4).writeByte('0').writeShort(0); // mid "0" + padding
            b.writeByte(id << 4 | v.length - 1).writeBytes(v);
            while ((b.writerIndex() - start) % 4 != 0) {
                b.writeByte(0);
            }
        }
        b.writeBytes(new byte[] {0x41, 0x01});
        return b;
    }

    private static int route(SimulcastDemux d, ByteBuf p, boolean rtx) {
        RtpHeader h = RtpHeader.parse(p);
        int layer = rtx ? d.layerOfRetransmission(p, h) : d.layerOf(p, h);
        p.release();
        return layer;
    }

    @Test
    void bindsEachSsrcByItsRidThenRoutesBySsrcAlone() {
        SimulcastDemux d = new SimulcastDemux(OFFER);
        assertThat(route(d, packet(111, 1, 10, "f"), false)).isEqualTo(2);
        assertThat(route(d, packet(222, 1, 10, "q"), false)).isEqualTo(0);
        assertThat(route(d, packet(111, 2, 0, null), false)).isEqualTo(2); // no extension any more: by SSRC
        assertThat(route(d, packet(222, 2, 0, null), false)).isEqualTo(0);
        assertThat(d.ssrc(2)).isEqualTo(111);
        assertThat(d.ssrc(1)).isZero();
        // an SSRC not told yet, and a rid that is not a layer of the answer: dropped and counted
        assertThat(route(d, packet(333, 1, 0, null), false)).isEqualTo(-1);
        assertThat(route(d, packet(333, 2, 10, "x"), false)).isEqualTo(-1);
        assertThat(d.unrouted()).isEqualTo(2);
        // the retransmissions name their layer with the repaired rid (a media rid does not count for them)
        assertThat(route(d, packet(444, 1, 10, "h"), true)).isEqualTo(-1);
        assertThat(route(d, packet(444, 1, 11, "h"), true)).isEqualTo(1);
        assertThat(route(d, packet(444, 2, 0, null), true)).isEqualTo(1);
        // the sender restarts layer f on a new SSRC: the old one no longer routes
        assertThat(route(d, packet(555, 1, 10, "f"), false)).isEqualTo(2);
        assertThat(route(d, packet(111, 3, 0, null), false)).isEqualTo(-1);
        assertThat(d.ssrc(2)).isEqualTo(555);
    }

    @Test
    void aMalformedExtensionBlockRoutesNothing() {
        SimulcastDemux d = new SimulcastDemux(OFFER);
        ByteBuf p = packet(111, 1, 10, "f");
        p.setByte(20, 10 << 4 | 15); // the rid element claims 16 bytes: runs past its block
        assertThat(route(d, p, false)).isEqualTo(-1);
    }
}
