package dev.vireo.webrtc.whip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.webrtc.rtp.RtpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One received RTP stream: frames out of packets, and a sender that restarts the stream. */
class ReceiveTrackTest {

    private static final long MS = 1_000_000L;

    /** libaom's keyframe as one AV1 RTP payload (aggregation header N=1), from the fuzz seed. */
    private static byte[] av1KeyframePayload() throws IOException {
        return firstPayload("libaom-keyframe-av1-rtp");
    }

    /** The payload of the first packet of a {@code WhipReceiveJazzerTest#track} input that starts with a raw packet. */
    private static byte[] firstPayload(String input) throws IOException {
        try (InputStream in = ReceiveTrackTest.class.getResourceAsStream("WhipReceiveJazzerTestInputs/track/" + input)) {
            byte[] seed = in.readAllBytes();
            // setup (1), sequence number (2), time stamp (4); then the first op: raw packet (0), length (2), packet
            int len = (seed[8] & 0xFF) << 8 | seed[9] & 0xFF;
            byte[] payload = new byte[len - RtpHeader.FIXED_SIZE];
            System.arraycopy(seed, 10 + RtpHeader.FIXED_SIZE, payload, 0, payload.length);
            return payload;
        }
    }

    private static ByteBuf packet(int seq, long ts, int ssrc, byte[] payload) {
        ByteBuf b = Unpooled.buffer();
        RtpHeader.write(b, true, 45, seq, ts, ssrc);
        return b.writeBytes(payload);
    }

    private static List<String> feed(ReceiveTrack track, ByteBuf packet, long now) {
        List<String> out = new ArrayList<>();
        track.onPacket(packet, RtpHeader.parse(packet), now, false);
        track.drain(now, f -> {
            out.add(f.isConfig() ? "config" : f.isKeyframe() ? "key" : "delta");
            f.release();
        });
        return out;
    }

    @Test
    void anAv1StreamRestartedOnANewSsrcPlaysFromItsFirstKeyframe() throws IOException {
        byte[] key = av1KeyframePayload();
        assertThat(key[0]).as("N=1: a new coded video sequence").isEqualTo((byte) 0x08);
        MediaClock clock = new MediaClock(0);
        try (ReceiveTrack track = new ReceiveTrack(Codec.AV1, 45, 90_000, ByteBufAllocator.DEFAULT,
                clock.track(90_000)).nack(true)) {
            assertThat(feed(track, packet(100, 90_000, 0x1111, key), 10 * MS)).containsExactly("config", "key");
            // the sender restarts the stream (a new SSRC, new numbering) with a keyframe: it plays at
            // once; it used to be taken for a gap in the old numbering, dropped, and the stream waited
            // for the next keyframe (a PLI round or a whole GOP)
            assertThat(feed(track, packet(40_000, 5_000, 0x2222, key), 50 * MS)).containsExactly("key");
            assertThat(track.keyframeNeeded()).isFalse();
            assertThat(track.keyframes()).isEqualTo(2);
        }
    }

    @Test
    void anAv1KeyframeWhoseSequenceHeaderDoesNotParseGivesNoMediaWithoutAConfig() throws IOException {
        // WhipReceiveJazzerTest#track's finding: libaom's keyframe with its sequence header cut by a
        // byte (obu_size 10): found as a sequence header, but no av1C can be made of it. The frame
        // went to the hub as a keyframe with no configuration before it.
        byte[] broken = firstPayload("crash-av1-sequence-header-that-does-not-parse-media-without-config");
        MediaClock clock = new MediaClock(0);
        try (ReceiveTrack track = new ReceiveTrack(Codec.AV1, 45, 90_000, ByteBufAllocator.DEFAULT,
                clock.track(90_000)).nack(true)) {
            assertThat(feed(track, packet(100, 90_000, 0x1111, broken), 10 * MS)).isEmpty();
            assertThat(track.keyframeNeeded()).isTrue();
            assertThat(track.depacketizeErrors()).isEqualTo(1);
            assertThat(feed(track, packet(101, 93_000, 0x1111, av1KeyframePayload()), 40 * MS))
                    .containsExactly("config", "key");
        }
    }
}
