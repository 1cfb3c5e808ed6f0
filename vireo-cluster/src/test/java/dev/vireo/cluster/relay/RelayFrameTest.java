package dev.vireo.cluster.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RelayFrameTest {

    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void mediaFrameKeepsTimestampsFlagsAndPayloadBytes() {
        // AVCC access unit: an SEI NAL (type 6) then an IDR slice (type 5)
        byte[] au = HexFormat.of().parseHex("00000003" + "060501" + "00000002" + "6588");
        MediaFrame f = MediaFrame.media(Codec.H264, 90_000_123L, 40, true, Unpooled.wrappedBuffer(au));
        ByteBuf wire = RelayFrameWriter.media(ALLOC, f);
        // length = type + codec + flags + dts + cts + payload
        assertThat(wire.getInt(0)).isEqualTo(1 + 1 + 1 + 8 + 4 + au.length);
        RelayMessage m = RelayFrameReader.read(wire, RelayLimits.media());
        assertThat(wire.isReadable()).isFalse();
        MediaFrame back = ((RelayMessage.Media) m).toFrame();
        assertThat(back.codec()).isEqualTo(Codec.H264);
        assertThat(back.dts()).isEqualTo(90_000_123L);
        assertThat(back.cts()).isEqualTo(40);
        assertThat(back.pts()).isEqualTo(90_000_163L);
        assertThat(back.isKeyframe()).isTrue();
        assertThat(back.isConfig()).isFalse();
        assertThat(ByteBufUtil.getBytes(back.payload())).isEqualTo(au);
        back.release();
        f.release();
        wire.release();
    }

    @Test
    void configAndScriptDataSurvive() {
        MediaFrame asc = MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(new byte[] {0x12, 0x10}));
        MediaFrame meta = MediaFrame.data(5, Unpooled.wrappedBuffer(new byte[] {2, 0, 10}));
        ByteBuf wire = Unpooled.buffer();
        put(wire, RelayFrameWriter.media(ALLOC, asc));
        put(wire, RelayFrameWriter.media(ALLOC, meta));
        MediaFrame a = ((RelayMessage.Media) RelayFrameReader.read(wire, RelayLimits.media())).toFrame();
        MediaFrame d = ((RelayMessage.Media) RelayFrameReader.read(wire, RelayLimits.media())).toFrame();
        assertThat(a.isConfig()).isTrue();
        assertThat(a.isAudio()).isTrue();
        assertThat(d.isData()).isTrue();
        assertThat(d.dts()).isEqualTo(5);
        a.release();
        d.release();
        asc.release();
        meta.release();
    }

    @Test
    void handshakeMessagesRoundTrip() {
        byte[] nonce = RelayAuth.nonce();
        byte[] proof = new RelayAuth("s3cret").edgeProof(nonce, nonce);
        ByteBuf wire = Unpooled.buffer();
        put(wire, RelayFrameWriter.hello(ALLOC, nonce, "edge-1"));
        put(wire, RelayFrameWriter.challenge(ALLOC, nonce, proof));
        put(wire, RelayFrameWriter.auth(ALLOC, proof));
        put(wire, RelayFrameWriter.pull(ALLOC, new StreamKey("live.example.com", "live", "démo")));
        put(wire, RelayFrameWriter.end(ALLOC, "publisher left"));
        put(wire, RelayFrameWriter.error(ALLOC, RelayMessage.Error.AUTH_FAILED, "no"));
        RelayMessage.Hello h = (RelayMessage.Hello) RelayFrameReader.read(wire, RelayLimits.HANDSHAKE);
        assertThat(h.version()).isEqualTo(RelayMessage.VERSION);
        assertThat(h.nonce()).isEqualTo(nonce);
        assertThat(h.nodeId()).isEqualTo("edge-1");
        RelayMessage.Challenge c = (RelayMessage.Challenge) RelayFrameReader.read(wire, RelayLimits.HANDSHAKE);
        assertThat(c.proof()).isEqualTo(proof);
        assertThat(((RelayMessage.Auth) RelayFrameReader.read(wire, RelayLimits.HANDSHAKE)).proof()).isEqualTo(proof);
        assertThat(((RelayMessage.Pull) RelayFrameReader.read(wire, RelayLimits.HANDSHAKE)).key())
                .isEqualTo(new StreamKey("live.example.com", "live", "démo"));
        assertThat(((RelayMessage.End) RelayFrameReader.read(wire, RelayLimits.HANDSHAKE)).reason())
                .isEqualTo("publisher left");
        RelayMessage.Error e = (RelayMessage.Error) RelayFrameReader.read(wire, RelayLimits.HANDSHAKE);
        assertThat(e.code()).isEqualTo(RelayMessage.Error.AUTH_FAILED);
        assertThat(wire.isReadable()).isFalse();
    }

    @Test
    void aLongReasonIsCutToFitTheHandshakeLimit() {
        ByteBuf wire = RelayFrameWriter.error(ALLOC, RelayMessage.Error.NOT_FOUND, "é".repeat(5000));
        RelayMessage.Error e = (RelayMessage.Error) RelayFrameReader.read(wire, RelayLimits.HANDSHAKE);
        assertThat(e.reason()).startsWith("éé").hasSizeLessThan(1024);
        wire.release();
    }

    @Test
    void incompleteFrameWaitsAndConsumesNothing() {
        ByteBuf whole = RelayFrameWriter.end(ALLOC, "bye");
        ByteBuf part = whole.copy(0, whole.readableBytes() - 1);
        whole.release();
        assertThat(RelayFrameReader.read(part, RelayLimits.HANDSHAKE)).isNull();
        assertThat(part.readerIndex()).isZero();
        part.release();
        assertThat(RelayFrameReader.read(Unpooled.wrappedBuffer(new byte[] {0, 0}), RelayLimits.HANDSHAKE)).isNull();
    }

    @Test
    void oversizedFrameIsRefusedBeforeItsBodyArrives() {
        // only the length prefix: a 2 KiB frame before authentication
        ByteBuf in = Unpooled.buffer().writeInt(2048);
        assertThatThrownBy(() -> RelayFrameReader.read(in, RelayLimits.HANDSHAKE))
                .isInstanceOf(RelayProtocolException.class).hasMessageContaining("exceeds the limit of 1024");
    }

    @Test
    void garbageIsRefusedWithAReason() {
        assertThatThrownBy(() -> RelayFrameReader.read(hex("00000001" + "7f"), RelayLimits.HANDSHAKE))
                .hasMessageContaining("unknown relay frame type 0x7f");
        assertThatThrownBy(() -> RelayFrameReader.read(hex("00000000"), RelayLimits.HANDSHAKE))
                .hasMessageContaining("empty relay frame");
        assertThatThrownBy(() -> RelayFrameReader.read(hex("00000005" + "01" + "47455420"), RelayLimits.HANDSHAKE))
                .hasMessageContaining("bad magic");
        // media with codec 9
        assertThatThrownBy(() -> RelayFrameReader.read(hex("0000000f" + "10" + "09" + "00" + "0000000000000000"
                + "00000000"), RelayLimits.media())).hasMessageContaining("unknown codec id 9");
        // media with an unknown flag bit
        assertThatThrownBy(() -> RelayFrameReader.read(hex("0000000f" + "10" + "01" + "80" + "0000000000000000"
                + "00000000"), RelayLimits.media())).hasMessageContaining("unknown media flags");
        // pull with an empty stream name
        assertThatThrownBy(() -> RelayFrameReader.read(hex("00000006" + "04" + "0161" + "0162" + "00"),
                RelayLimits.HANDSHAKE)).hasMessageContaining("empty stream");
        // end whose reason length runs past the frame
        assertThatThrownBy(() -> RelayFrameReader.read(hex("00000004" + "20" + "0005" + "61"), RelayLimits.HANDSHAKE))
                .hasMessageContaining("too short for its reason");
        // auth with trailing bytes
        assertThatThrownBy(() -> RelayFrameReader.read(hex("00000022" + "03" + "00".repeat(33)), RelayLimits.HANDSHAKE))
                .hasMessageContaining("trailing bytes");
        // node id not UTF-8
        assertThatThrownBy(() -> RelayFrameReader.read(hex("00000029" + "01" + "56524c59" + "01" + "00".repeat(32)
                + "02" + "c328"), RelayLimits.HANDSHAKE)).hasMessageContaining("not UTF-8");
    }

    @Test
    void proofsDependOnTheSecretAndTheDirection() {
        byte[] e = RelayAuth.nonce();
        byte[] o = RelayAuth.nonce();
        RelayAuth a = new RelayAuth("one secret");
        assertThat(RelayAuth.matches(a.edgeProof(e, o), new RelayAuth("one secret").edgeProof(e, o))).isTrue();
        assertThat(RelayAuth.matches(a.edgeProof(e, o), new RelayAuth("another").edgeProof(e, o))).isFalse();
        assertThat(RelayAuth.matches(a.edgeProof(e, o), a.originProof(e, o))).isFalse();
        assertThat(a.toString()).doesNotContain("one secret");
        assertThat(RelayOptions.defaults("n", "0.0.0.0", 0, "one secret").toString()).doesNotContain("one secret");
    }

    private static void put(ByteBuf wire, ByteBuf frame) {
        wire.writeBytes(frame);
        frame.release();
    }

    private static ByteBuf hex(String h) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(h));
    }
}
