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
        byte[] plain = SrtpContextTest.rtp(0, 0x1234, 1200 - 28, new Random(1));
        for (SrtpProfile p : SrtpProfile.values()) {
            for (boolean direct : new boolean[] {false, true}) {
                SrtpContext tx = SrtpContextTest.ctx(p);
                ByteBuf buf = direct ? ByteBufAllocator.DEFAULT.directBuffer(1300) : Unpooled.buffer(1300);
                double best = 0;
                for (int round = 0; round < 5; round++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < packets; i++) {
                        buf.clear().writeBytes(plain);
                        buf.setShort(2, i);
                        tx.protectRtp(buf);
                    }
                    double rate = packets / ((System.nanoTime() - t0) / 1e9);
                    best = Math.max(best, rate);
                }
                buf.release();
                System.out.printf("%-26s %-6s protect 1200-byte RTP: %,.0f packets/s (%.0f Mbit/s)%n", p,
                        direct ? "direct" : "heap", best, best * 1200 * 8 / 1e6);
            }
        }
    }
}
