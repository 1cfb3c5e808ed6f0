package dev.vireo.webrtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class H264PacketizerTest {

    static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** Access units (4-byte length-prefixed) of a short x264 baseline stream with AUDs, in-band SPS/PPS, SEI. */
    static List<byte[]> accessUnits() throws IOException {
        byte[] annexB;
        try (InputStream in = H264PacketizerTest.class.getResourceAsStream("/rtp/testsrc-320x240.h264")) {
            annexB = in.readAllBytes();
        }
        List<byte[]> aus = new ArrayList<>();
        ByteBuf cur = null;
        for (ByteBuf nal : NalUnits.splitAnnexB(Unpooled.wrappedBuffer(annexB))) {
            if (NalUnits.h264Type(nal.getUnsignedByte(nal.readerIndex())) == NalUnits.H264_AUD) {
                if (cur != null) {
                    aus.add(ByteBufUtil.getBytes(cur));
                }
                cur = Unpooled.buffer();
            }
            cur.writeInt(nal.readableBytes()).writeBytes(nal, nal.readerIndex(), nal.readableBytes());
        }
        aus.add(ByteBufUtil.getBytes(cur));
        return aus;
    }

    static List<byte[]> nalTypes(byte[] au, int... skip) {
        List<byte[]> out = new ArrayList<>();
        outer:
        for (ByteBuf n : NalUnits.split(Unpooled.wrappedBuffer(au))) {
            int t = NalUnits.h264Type(n.getUnsignedByte(n.readerIndex()));
            for (int s : skip) {
                if (t == s) {
                    continue outer;
                }
            }
            out.add(ByteBufUtil.getBytes(n));
        }
        return out;
    }

    /** Sends a frame through RTP headers and a depacketizer. */
    static List<H264Depacketizer.AccessUnit> roundTrip(List<PacketizedFrame> frames) {
        List<H264Depacketizer.AccessUnit> out = new ArrayList<>();
        try (H264Depacketizer d = new H264Depacketizer(ALLOC)) {
            int seq = 65530; // wraps
            for (PacketizedFrame f : frames) {
                for (int i = 0; i < f.count(); i++) {
                    ByteBuf p = Unpooled.buffer();
                    RtpHeader.write(p, f.marker(i), 102, seq++ & 0xFFFF, f.timestamp(), 42);
                    f.writePayload(i, p);
                    d.push(p);
                }
                H264Depacketizer.AccessUnit au;
                while ((au = d.poll()) != null) {
                    out.add(au);
                }
            }
        }
        return out;
    }

    @Test
    void realStreamRoundTripsWithStapAndFuA() throws IOException {
        List<byte[]> aus = accessUnits();
        assertThat(aus).hasSize(6);
        H264Packetizer p = new H264Packetizer(1200);
        List<PacketizedFrame> frames = new ArrayList<>();
        for (int i = 0; i < aus.size(); i++) {
            frames.add(p.packetize(ALLOC, Unpooled.wrappedBuffer(aus.get(i)), i * 9000L));
        }
        try {
            PacketizedFrame key = frames.get(0);
            assertThat(key.keyframe()).isTrue();
            assertThat(frames.get(1).keyframe()).isFalse();
            // first packet aggregates SPS, PPS and SEI in a STAP-A
            assertThat(key.data().getUnsignedByte(key.offset(0)) & 0x1F).isEqualTo(24);
            boolean sawFu = false;
            for (PacketizedFrame f : frames) {
                for (int i = 0; i < f.count(); i++) {
                    assertThat(f.length(i)).isLessThanOrEqualTo(1200);
                    assertThat(f.marker(i)).isEqualTo(i == f.count() - 1);
                    sawFu |= (f.data().getUnsignedByte(f.offset(i)) & 0x1F) == 28;
                }
            }
            assertThat(sawFu).isTrue();

            List<H264Depacketizer.AccessUnit> back = roundTrip(frames);
            assertThat(back).hasSize(6);
            for (int i = 0; i < 6; i++) {
                H264Depacketizer.AccessUnit au = back.get(i);
                assertThat(au.timestamp()).isEqualTo(i * 9000L);
                assertThat(au.keyframe()).isEqualTo(i % 3 == 0);
                assertThat(nalTypes(ByteBufUtil.getBytes(au.data())))
                        .usingElementComparator(java.util.Arrays::compare)
                        .containsExactlyElementsOf(nalTypes(aus.get(i), NalUnits.H264_AUD));
                au.data().release();
            }
        } finally {
            frames.forEach(PacketizedFrame::release);
        }
    }

    @Test
    void parameterSetsAreInsertedBeforeIdrWhenNotInBand() throws IOException {
        List<byte[]> aus = accessUnits();
        List<byte[]> keyNals = nalTypes(aus.get(0));
        byte[] sps = keyNals.stream().filter(n -> (n[0] & 0x1F) == 7).findFirst().orElseThrow();
        byte[] pps = keyNals.stream().filter(n -> (n[0] & 0x1F) == 8).findFirst().orElseThrow();
        H264Packetizer p = new H264Packetizer();
        p.setDecoderConfiguration(AvcDecoderConfigurationRecord.of(sps, pps));
        ByteBuf stripped = Unpooled.buffer();
        for (byte[] n : nalTypes(aus.get(0), 7, 8, 9)) {
            stripped.writeInt(n.length).writeBytes(n);
        }
        PacketizedFrame key = p.packetize(ALLOC, stripped, 0);
        PacketizedFrame delta = p.packetize(ALLOC, Unpooled.wrappedBuffer(aus.get(1)), 9000);
        try {
            List<H264Depacketizer.AccessUnit> back = roundTrip(List.of(key, delta));
            assertThat(back).hasSize(2);
            List<byte[]> nals = nalTypes(ByteBufUtil.getBytes(back.get(0).data()));
            assertThat(nals.get(0)).isEqualTo(sps);
            assertThat(nals.get(1)).isEqualTo(pps);
            assertThat(nals).hasSize(keyNals.size() - 1); // the AUD is gone, SPS and PPS came back
            // a P frame gets no parameter sets
            assertThat(nalTypes(ByteBufUtil.getBytes(back.get(1).data()))).noneMatch(n -> (n[0] & 0x1F) == 7);
            back.forEach(au -> au.data().release());
        } finally {
            key.release();
            delta.release();
        }
    }

    @Test
    void fragmentsHaveOneSizeButTheLast() {
        byte[] nal = new byte[10_000];
        new Random(1).nextBytes(nal);
        nal[0] = 0x65; // IDR, NRI 3
        ByteBuf au = Unpooled.buffer().writeInt(nal.length).writeBytes(nal);
        PacketizedFrame f = new H264Packetizer(1000).packetize(ALLOC, au, 0);
        try {
            assertThat(f.count()).isEqualTo(11); // ceil(9999 / 998)
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int i = 0; i < f.count(); i++) {
                min = Math.min(min, f.length(i));
                max = Math.max(max, f.length(i));
                int fuHeader = f.data().getUnsignedByte(f.offset(i) + 1);
                assertThat(fuHeader & 0x80).isEqualTo(i == 0 ? 0x80 : 0);
                assertThat(fuHeader & 0x40).isEqualTo(i == f.count() - 1 ? 0x40 : 0);
                assertThat((int) f.data().getUnsignedByte(f.offset(i))).isEqualTo(0x60 | 28);
            }
            // one size but the last, which is not larger (a UDP GSO run), and as even as can be
            for (int i = 1; i < f.count() - 1; i++) {
                assertThat(f.length(i)).isEqualTo(f.length(0));
            }
            assertThat(f.length(f.count() - 1)).isBetween(3, f.length(0));
            assertThat(max - min).isLessThan(f.count());
            assertThat(f.totalPayloadBytes()).isEqualTo(9999 + 2 * 11);
        } finally {
            f.release();
        }
    }

    @Test
    void everyNalLengthFragmentsIntoOneSizeAndANonEmptyLast() {
        for (int len = 1001; len < 6000; len += 7) {
            byte[] nal = new byte[len];
            nal[0] = 0x65;
            ByteBuf au = Unpooled.buffer().writeInt(nal.length).writeBytes(nal);
            PacketizedFrame f = new H264Packetizer(1000).packetize(ALLOC, au, 0);
            try {
                int total = 0;
                for (int i = 0; i < f.count(); i++) {
                    assertThat(f.length(i)).isLessThanOrEqualTo(1000);
                    if (i < f.count() - 1) {
                        assertThat(f.length(i)).isEqualTo(f.length(0));
                    }
                    total += f.length(i) - 2;
                }
                assertThat(f.length(f.count() - 1)).as("last of %d", len).isBetween(3, f.length(0));
                assertThat(total).isEqualTo(len - 1);
            } finally {
                f.release();
            }
        }
    }

    @Test
    void onlyDelimitersGiveAnEmptyFrameAndBadLengthsThrow() {
        PacketizedFrame f = new H264Packetizer().packetize(ALLOC, Unpooled.buffer().writeInt(2).writeByte(9).writeByte(0xF0), 0);
        assertThat(f.count()).isZero();
        f.release();
        assertThatThrownBy(() -> new H264Packetizer().packetize(ALLOC, Unpooled.buffer().writeInt(99).writeByte(1), 0))
                .isInstanceOf(RtpException.class);
    }
}
