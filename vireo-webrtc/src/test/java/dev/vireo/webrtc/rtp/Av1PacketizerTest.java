package dev.vireo.webrtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.av1.Av1Obus;
import dev.vireo.webrtc.testing.Av1Clip;
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

/** AV1 RTP payload format v1.0 §4: packetizer against the depacketizer, real and random OBUs, garbage. */
class Av1PacketizerTest {

    static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    static final int MAX = Av1Depacketizer.DEFAULT_MAX_TEMPORAL_UNIT;

    /** 8 temporal units of 160x120 from libaom (realtime, keyframe every 4): TD, sequence header on keyframes, frame OBU. */
    static Av1Clip clip() throws IOException {
        try (InputStream in = Av1PacketizerTest.class.getResourceAsStream("/rtp/testsrc-160x120-av1.ivf")) {
            return Av1Clip.readIvf(in.readAllBytes());
        }
    }

    /** The OBUs as the decoder sees them: header without obu_has_size_field, extension, payload; TDs, tile lists and padding left out. */
    static List<String> obus(byte[] tu) {
        List<String> out = new ArrayList<>();
        ByteBuf b = Unpooled.wrappedBuffer(tu);
        for (Av1Obus.Obu o : Av1Obus.split(b)) {
            if (o.type() == Av1Obus.TEMPORAL_DELIMITER || o.type() == Av1Obus.TILE_LIST || o.type() == Av1Obus.PADDING) {
                continue;
            }
            out.add(Integer.toHexString(o.header() & ~0x02) + "/" + o.extension() + "/"
                    + ByteBufUtil.hexDump(b, o.payloadOffset(), o.payloadSize()));
        }
        return out;
    }

    static List<ByteBuf> payloads(PacketizedFrame f) {
        List<ByteBuf> out = new ArrayList<>();
        for (int i = 0; i < f.count(); i++) {
            out.add(f.data().slice(f.offset(i), f.length(i)));
        }
        return out;
    }

    /** Packetizes, checks the §4 invariants, depacketizes and compares the OBUs. */
    static PacketizedFrame roundTrip(byte[] tu, int maxPayload, boolean keyframe) {
        PacketizedFrame f = new Av1Packetizer(maxPayload).packetize(ALLOC, Unpooled.wrappedBuffer(tu), 1234, keyframe);
        List<ByteBuf> p = payloads(f);
        boolean newSequence = keyframe && Av1Obus.hasSequenceHeader(Av1Obus.split(Unpooled.wrappedBuffer(tu)));
        for (int i = 0; i < p.size(); i++) {
            int agg = p.get(i).getUnsignedByte(0);
            int len = p.get(i).readableBytes();
            // plain checks: the random test makes many thousands of packets
            if (len > maxPayload || len < 2 || f.marker(i) != (i == p.size() - 1)
                    || ((agg & Av1Packetizer.N) != 0) != (i == 0 && newSequence) || (agg & 0x07) != 0) {
                throw new AssertionError("packet " + i + " of " + p.size() + " (max " + maxPayload + "): " + len
                        + " bytes, aggregation header " + Integer.toBinaryString(agg) + ", marker " + f.marker(i)
                        + "; want <= max, marker on the last (§4.1), N on the first of a new sequence only (§4.4)");
            }
        }
        if (!p.isEmpty()) {
            Av1Depacketizer.TemporalUnit back = Av1Depacketizer.depacketize(ALLOC, p, MAX);
            try {
                assertThat(obus(ByteBufUtil.getBytes(back.obus()))).isEqualTo(obus(tu));
                assertThat(back.newCodedVideoSequence()).isEqualTo((p.getFirst().getUnsignedByte(0) & Av1Packetizer.N) != 0);
            } finally {
                back.obus().release();
            }
        } else {
            assertThat(obus(tu)).isEmpty();
        }
        return f;
    }

    @Test
    void theEncodersTemporalUnitsSurviveTheRoundTripAtEveryPacketSize() throws IOException {
        Av1Clip clip = clip();
        assertThat(clip.width()).isEqualTo(160);
        assertThat(clip.units()).hasSize(8);
        for (int max : new int[] {16, 17, 100, 255, 1200, 1500, 20_000}) {
            for (Av1Clip.TemporalUnit tu : clip.units()) {
                PacketizedFrame f = roundTrip(tu.obus(), max, tu.keyframe());
                try {
                    assertThat(f.keyframe()).isEqualTo(tu.keyframe());
                    assertThat(f.timestamp()).isEqualTo(1234);
                    // the payloads carry no temporal delimiter: 1 aggregation header per packet plus lengths only
                    assertThat(f.totalPayloadBytes()).isLessThan(tu.obus().length + 4 * f.count() + 8);
                } finally {
                    f.release();
                }
            }
        }
    }

    @Test
    void aKeyframeStartsWithNAndItsSequenceHeaderAndALargeFrameOBUIsFragmented() throws IOException {
        Av1Clip.TemporalUnit key = clip().units().getFirst();
        assertThat(key.keyframe()).isTrue();
        PacketizedFrame f = roundTrip(key.obus(), 1200, true);
        try {
            List<ByteBuf> p = payloads(f);
            assertThat(p).hasSize(3); // 3.5 kB
            ByteBuf first = p.getFirst();
            // Z=0 Y=1 W=2 N=1: the sequence header whole (with its length), the frame OBU's first fragment last
            assertThat((int) first.getUnsignedByte(0)).isEqualTo(0x40 | 2 << 4 | 0x08);
            int seqLen = first.getUnsignedByte(1);
            assertThat((first.getUnsignedByte(2) >>> 3) & 0xF).as("first OBU type").isEqualTo(Av1Obus.SEQUENCE_HEADER);
            assertThat(first.getUnsignedByte(2) & 0x02).as("obu_has_size_field cleared (§4.2)").isZero();
            assertThat((first.getUnsignedByte(2 + seqLen) >>> 3) & 0xF).isEqualTo(Av1Obus.FRAME);
            assertThat(first.readableBytes()).isEqualTo(1200);
            // middle: Z=1 Y=1 W=1; last: Z=1 Y=0 W=1
            assertThat((int) p.get(1).getUnsignedByte(0)).isEqualTo(0x80 | 0x40 | 1 << 4);
            assertThat((int) p.get(2).getUnsignedByte(0)).isEqualTo(0x80 | 1 << 4);
        } finally {
            f.release();
        }
        // A delta frame of one OBU that fits: a single packet with W=1, no length at all.
        Av1Clip.TemporalUnit delta = clip().units().get(1);
        PacketizedFrame d = roundTrip(delta.obus(), 1200, false);
        try {
            assertThat(d.count()).isEqualTo(1);
            assertThat((int) d.data().getUnsignedByte(d.offset(0))).isEqualTo(1 << 4);
            assertThat(d.length(0)).isEqualTo(1 + delta.obus().length - 2 /* TD */ - 2 /* obu_size */);
        } finally {
            d.release();
        }
    }

    @Test
    void smallObusAreAggregatedWithWUpToThreeAndLengthsBeyond() {
        byte[] four = concat(obu(Av1Obus.TEMPORAL_DELIMITER, -1, 0), obu(Av1Obus.METADATA, -1, 5),
                obu(Av1Obus.FRAME_HEADER, -1, 7), obu(Av1Obus.TILE_GROUP, -1, 9), obu(Av1Obus.PADDING, -1, 20),
                obu(Av1Obus.TILE_GROUP, 0x28, 11));
        PacketizedFrame f = roundTrip(four, 1200, false);
        try {
            assertThat(f.count()).isEqualTo(1);
            assertThat((int) f.data().getUnsignedByte(f.offset(0))).as("4 elements: W=0").isEqualTo(0);
        } finally {
            f.release();
        }
        byte[] three = concat(obu(Av1Obus.FRAME_HEADER, -1, 7), obu(Av1Obus.TILE_GROUP, -1, 9), obu(Av1Obus.TILE_GROUP, -1, 11));
        PacketizedFrame g = roundTrip(three, 1200, false);
        try {
            assertThat((int) g.data().getUnsignedByte(g.offset(0))).isEqualTo(3 << 4);
            // aggregation header, 2 lengths, 3 OBUs of header + payload (27 + 3) without their sizes
            assertThat(g.length(0)).isEqualTo(1 + 2 + 30);
        } finally {
            g.release();
        }
        // Only what is never sent: zero packets.
        PacketizedFrame none = new Av1Packetizer().packetize(ALLOC,
                Unpooled.wrappedBuffer(concat(obu(Av1Obus.TEMPORAL_DELIMITER, -1, 0), obu(Av1Obus.PADDING, -1, 3))), 0, false);
        assertThat(none.count()).isZero();
        none.release();
    }

    @Test
    void randomObuStreamsRoundTripAtRandomPacketSizes() {
        Random r = new Random(7);
        for (int round = 0; round < 500; round++) {
            int n = 1 + r.nextInt(r.nextBoolean() ? 4 : 40);
            List<byte[]> parts = new ArrayList<>();
            boolean seq = false;
            for (int i = 0; i < n; i++) {
                int type = 1 + r.nextInt(15);
                seq |= type == Av1Obus.SEQUENCE_HEADER;
                int size = r.nextInt(10) == 0 ? r.nextInt(20_000) : r.nextInt(300);
                parts.add(obu(type, r.nextBoolean() ? r.nextInt(256) : -1, size, r, i == n - 1 && r.nextBoolean()));
            }
            byte[] tu = concat(parts.toArray(new byte[0][]));
            int max = Av1Packetizer.MIN_MAX_PAYLOAD + r.nextInt(r.nextBoolean() ? 40 : 1500);
            boolean key = r.nextBoolean();
            PacketizedFrame f = roundTrip(tu, max, key);
            assertThat(f.keyframe()).isEqualTo(key);
            f.release();
        }
    }

    @Test
    void malformedTemporalUnitsAreRejectedWithAReason() {
        Av1Packetizer p = new Av1Packetizer();
        assertThatThrownBy(() -> p.packetize(ALLOC, Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0}), 0, false))
                .isInstanceOf(RtpException.class).hasMessageContaining("forbidden");
        assertThatThrownBy(() -> p.packetize(ALLOC, Unpooled.wrappedBuffer(new byte[] {0x32, 10, 1, 2}), 0, false))
                .isInstanceOf(RtpException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> p.packetize(ALLOC, Unpooled.wrappedBuffer(new byte[] {0x32, (byte) 0x80}), 0, false))
                .isInstanceOf(RtpException.class).hasMessageContaining("truncated AV1 leb128");
        byte[] longLeb = {0x32, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, 0};
        assertThatThrownBy(() -> p.packetize(ALLOC, Unpooled.wrappedBuffer(longLeb), 0, false))
                .isInstanceOf(RtpException.class).hasMessageContaining("longer than 8 bytes");
        assertThatThrownBy(() -> p.packetize(ALLOC, Unpooled.wrappedBuffer(new byte[] {0x36}), 0, false))
                .isInstanceOf(RtpException.class).hasMessageContaining("extension");
        byte[] many = new byte[2 * (Av1Obus.MAX_OBUS + 1)];
        for (int i = 0; i < many.length; i += 2) {
            many[i] = 0x2A; // metadata, obu_size 0
        }
        assertThatThrownBy(() -> p.packetize(ALLOC, Unpooled.wrappedBuffer(many), 0, false))
                .isInstanceOf(RtpException.class).hasMessageContaining("more than 4096");
        assertThatThrownBy(() -> new Av1Packetizer(15)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void garbageNeverThrowsAnythingButRtpException() {
        Random r = new Random(11);
        Av1Packetizer p = new Av1Packetizer(100);
        for (int i = 0; i < 20_000; i++) {
            byte[] g = new byte[r.nextInt(200)];
            r.nextBytes(g);
            try {
                p.packetize(ALLOC, Unpooled.wrappedBuffer(g), 0, r.nextBoolean()).release();
            } catch (RtpException expected) {
                assertThat(expected.getMessage()).startsWith("bad AV1 temporal unit: ");
            }
            List<ByteBuf> packets = new ArrayList<>();
            for (int k = r.nextInt(4); k >= 0; k--) {
                byte[] pk = new byte[r.nextInt(60)];
                r.nextBytes(pk);
                packets.add(Unpooled.wrappedBuffer(pk));
            }
            try {
                Av1Depacketizer.depacketize(ALLOC, packets, 1000).obus().release();
            } catch (RtpException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void theDepacketizerEnforcesSection44() {
        byte[] seq = {0x08, 0x00, 0x00};
        assertThatThrownBy(() -> depacketize(new byte[] {(byte) 0x88, 0x02, 1, 2}))
                .hasMessageContaining("N set on a packet that continues");
        assertThatThrownBy(() -> depacketize(new byte[] {(byte) 0x80 | 0x10, 0x30, 1}))
                .hasMessageContaining("Z=1 but the previous packet ended on a whole OBU");
        assertThatThrownBy(() -> depacketize(new byte[] {0x40 | 0x10, 0x30, 1}))
                .hasMessageContaining("leaves an OBU fragment open");
        assertThatThrownBy(() -> depacketize(new byte[] {0x40 | 0x10, 0x30, 1}, new byte[] {0x10, 0x30, 1}))
                .hasMessageContaining("Z=0 but the previous packet left an OBU open");
        assertThatThrownBy(() -> depacketize(new byte[] {0x30, 0x01, 0x30, 0x01, 0x30}))
                .hasMessageContaining("W=3 but 2 elements");
        assertThatThrownBy(() -> depacketize(new byte[] {0x00, 0x05, 0x30}))
                .hasMessageContaining("exceeds");
        assertThatThrownBy(() -> depacketize(new byte[] {0x10}))
                .hasMessageContaining("no OBU element");
        assertThatThrownBy(() -> depacketize(new byte[] {0x10, (byte) 0xB0, 0}))
                .hasMessageContaining("forbidden");
        assertThatThrownBy(() -> depacketize(new byte[] {0x10, 0x32, 5, 1}))
                .hasMessageContaining("obu_size 5 but 1 payload bytes");
        // A fragment carried on across packets, with W and lengths, gives back the OBU with its size.
        Av1Depacketizer.TemporalUnit tu = depacketize(new byte[] {0x40 | 0x08 | 0x20, 3, seq[0], seq[1], seq[2], 0x30, 1},
                new byte[] {(byte) 0x80 | 0x10, 2, 3});
        assertThat(ByteBufUtil.hexDump(tu.obus())).isEqualTo("0a020000" + "3203010203");
        assertThat(tu.newCodedVideoSequence()).isTrue();
        tu.obus().release();
    }

    private static Av1Depacketizer.TemporalUnit depacketize(byte[]... packets) {
        List<ByteBuf> list = new ArrayList<>();
        for (byte[] p : packets) {
            list.add(Unpooled.wrappedBuffer(p));
        }
        return Av1Depacketizer.depacketize(ALLOC, list, MAX);
    }

    static byte[] obu(int type, int extension, int size) {
        return obu(type, extension, size, new Random(type * 31L + size), false);
    }

    /** An OBU with obu_size (or without, running to the end, when {@code last}) and random payload bytes. */
    static byte[] obu(int type, int extension, int size, Random r, boolean last) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(type << 3 | (extension >= 0 ? 0x04 : 0) | (last ? 0 : 0x02));
        if (extension >= 0) {
            b.writeByte(extension);
        }
        if (!last) {
            Av1Obus.writeLeb128(b, size);
        }
        byte[] payload = new byte[size];
        r.nextBytes(payload);
        b.writeBytes(payload);
        return ByteBufUtil.getBytes(b);
    }

    static byte[] concat(byte[]... parts) {
        ByteBuf b = Unpooled.buffer();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return ByteBufUtil.getBytes(b);
    }
}
