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

    @Test
    void aStreamRestartedOnANewSsrcGoesOnFromWhenItArrives() {
        // RFC 3550 §5.1: a new SSRC's RTP timestamps start at a random value, unrelated to the old
        // stream's: read against the old anchor they put the frames hours ahead (the stream's time
        // jumps, its other track is hours behind) or back (clamped: every frame at one time) until a
        // sender report re-anchors the track, and a sender without them (OBS) never sends one
        for (long base : new long[] {1000 + 1_000_000_000L, 1000 + (1L << 31) + 12_345}) {
            MediaClock clock = new MediaClock(0);
            List<Long> times = new ArrayList<>();
            try (ReceiveTrack track = new ReceiveTrack(Codec.OPUS, 111, 48_000, ByteBufAllocator.DEFAULT,
                    clock.track(48_000))) {
                int seq = 100;
                for (int i = 0; i < 5; i++) { // 20 ms Opus packets, arriving every 20 ms from 10 ms on
                    opus(track, seq++, 1000 + 960L * i, 0x1111, (10 + 20L * i) * MS, times);
                }
                // the sender restarts the stream: a new SSRC, numbering and timestamp base
                seq = 7;
                for (int i = 0; i < 5; i++) {
                    opus(track, seq++, base + 960L * i & 0xFFFF_FFFFL, 0x2222, (110 + 20L * i) * MS, times);
                }
            }
            assertThat(times).as("base %d", base).containsExactly(10L, 30L, 50L, 70L, 90L, 110L, 130L, 150L, 170L, 190L);
        }
    }

    private static void opus(ReceiveTrack track, int seq, long ts, int ssrc, long now, List<Long> times) {
        ByteBuf p = Unpooled.buffer();
        RtpHeader.write(p, false, 111, seq, ts, ssrc);
        p.writeBytes(new byte[] {(byte) 0xFC, 1, 2, 3});
        track.onPacket(p, RtpHeader.parse(p), now, false);
        track.drain(now, f -> {
            if (!f.isConfig()) {
                times.add(f.dts());
            }
            f.release();
        });
    }
}
