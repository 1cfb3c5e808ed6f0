package dev.vireo.webrtc.srtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Random;

/**
 * Measures protect throughput for 1200-byte RTP packets on one thread (not a test: run with
 * {@code java -cp ... dev.vireo.webrtc.srtp.SrtpThroughput}). Timing goals belong in vireo-bench;
 * this prints numbers for the record.
 */
public final class SrtpThroughput {

    private SrtpThroughput() {
    }

    public static void main(String[] args) {
        int packets = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        // fan-out protects each packet once per viewer: many contexts in turn, not one hot one
        int contexts = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        byte[] plain = SrtpContextTest.rtp(0, 0x1234, 1200 - 28, new Random(1));
        String only = args.length > 2 ? args[2] : null;
        for (SrtpProfile p : SrtpProfile.values()) {
            if (only != null && !p.name().equals(only)) {
                continue;
            }
            for (boolean direct : new boolean[] {false, true}) {
                SrtpContext[] tx = new SrtpContext[contexts];
                for (int c = 0; c < contexts; c++) {
                    tx[c] = SrtpContextTest.ctx(p);
                }
                ByteBuf buf = direct ? ByteBufAllocator.DEFAULT.directBuffer(1300) : Unpooled.buffer(1300);
                double best = 0;
                for (int round = 0; round < 5; round++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < packets; i++) {
                        buf.clear().writeBytes(plain);
                        buf.setShort(2, i);
                        tx[i % contexts].protectRtp(buf);
                    }
                    double rate = packets / ((System.nanoTime() - t0) / 1e9);
                    best = Math.max(best, rate);
                }
                buf.release();
                System.out.printf("%-26s %-6s protect 1200-byte RTP, %d context(s): %,.0f packets/s (%.0f Mbit/s)%n",
                        p, direct ? "direct" : "heap", contexts, best, best * 1200 * 8 / 1e6);
            }
        }
    }
}
