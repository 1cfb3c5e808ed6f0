package dev.vireo.webrtc.rtp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the RTP receive path of a WHIP session (RFC 3550, RFC 8285,
 * RFC 6184, the AV1 RTP payload format; issue 17): each packet through {@link RtpHeader#parse},
 * every header-extension lookup ({@link RtpHeaderExtensions#find}), the {@link JitterBuffer}, the
 * {@link H264Depacketizer}, and the payloads of each marked frame through
 * {@link Av1Depacketizer}. Only {@link RtpException} escapes, and every buffer is released (the
 * leak detector runs in tests). The input is a run of packets, each prefixed with its 16-bit
 * length. Seeds in {@code RtpJazzerTestInputs/} (ffmpeg's RTP packets of H.264 and Opus, as sent
 * to a UDP port); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class RtpJazzerTest {

    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void receive(byte[] data) {
        List<ByteBuf> frame = new ArrayList<>();
        try (H264Depacketizer h264 = new H264Depacketizer(ALLOC, 1 << 16);
             JitterBuffer jitter = new JitterBuffer(64, 150_000_000L)) {
            long now = 0;
            int i = 0;
            while (i + 2 <= data.length) {
                int len = Math.min(((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF), data.length - i - 2);
                ByteBuf packet = Unpooled.wrappedBuffer(data, i + 2, len);
                i += 2 + len;
                now += 5_000_000L;
                RtpHeader h;
                try {
                    h = RtpHeader.parse(packet);
                    for (int id = 1; id <= 14; id++) {
                        RtpHeaderExtensions.find(packet, h, id);
                    }
                } catch (RtpException refused) {
                    continue;
                }
                jitter.push(packet.retainedDuplicate(), h.sequenceNumber(), now);
                ByteBuf ordered;
                while ((ordered = jitter.poll(now)) != null) {
                    try {
                        h264.push(ordered);
                    } catch (RtpException refused) {
                        h264.reset();
                    } finally {
                        ordered.release();
                    }
                }
                jitter.nacks(now, 10_000_000L, JitterBuffer.MAX_NACKS);
                H264Depacketizer.AccessUnit au;
                while ((au = h264.poll()) != null) {
                    au.data().release();
                }
                frame.add(h.payload(packet));
                if (h.marker() || frame.size() > 32) {
                    try {
                        Av1Depacketizer.depacketize(ALLOC, frame, 1 << 16).obus().release();
                    } catch (RtpException refused) {
                        // a temporal unit that breaks the payload format is dropped
                    }
                    frame.clear();
                }
            }
        }
    }
}
