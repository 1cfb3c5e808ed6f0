package dev.vireo.webrtc.bwe;

import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import dev.vireo.webrtc.rtcp.TransportCcRecorder;

/**
 * Measures the cost of a viewer's congestion control on one thread (not a test: run with
 * {@code java -cp ... dev.vireo.webrtc.bwe.GccThroughput [viewers] [packetsPerFeedback]}):
 * {@code viewers} estimators in turn, each recording its sent packets and taking a transport-cc
 * feedback for them every 100 simulated ms, as Chromium sends it. Prints nanoseconds per packet
 * and per feedback. Timing goals belong in vireo-bench; this prints numbers for the record.
 */
public final class GccThroughput {

    private GccThroughput() {
    }

    public static void main(String[] args) {
        int viewers = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int perFeedback = args.length > 1 ? Integer.parseInt(args[1]) : 26; // 2.5 Mbps of 1200-byte packets
        int feedbacks = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        BandwidthEstimator[] bwe = new BandwidthEstimator[viewers];
        TransportCcRecorder[] rx = new TransportCcRecorder[viewers];
        for (int v = 0; v < viewers; v++) {
            bwe[v] = new BandwidthEstimator(BandwidthEstimator.Config.DEFAULT);
            rx[v] = new TransportCcRecorder(0);
        }
        // the feedbacks are built beforehand per round (receiver side), only the sender's work is timed
        for (int round = 0; round < 5; round++) {
            long timed = 0;
            long sink = 0;
            for (int f = 0; f < feedbacks; f++) {
                long base = ((long) round * feedbacks + f) * 100_000_000L;
                TransportCcFeedback[] fb = new TransportCcFeedback[viewers];
                for (int v = 0; v < viewers; v++) {
                    for (int i = 0; i < perFeedback; i++) {
                        int seq = (int) (((long) round * feedbacks + f) * perFeedback + i) & 0xFFFF;
                        rx[v].record(seq, base + 20_000_000L + i * 3_800_000L + (i % 3) * 200_000L);
                    }
                    fb[v] = rx[v].feedback(1, 2);
                }
                long t0 = System.nanoTime();
                for (int v = 0; v < viewers; v++) {
                    for (int i = 0; i < perFeedback; i++) {
                        int seq = (int) (((long) round * feedbacks + f) * perFeedback + i) & 0xFFFF;
                        bwe[v].onPacketSent(seq, 1200, base + i * 3_840_000L);
                    }
                    bwe[v].onTransportFeedback(fb[v], base + 100_000_000L);
                    sink += bwe[v].estimateBps();
                }
                timed += System.nanoTime() - t0;
            }
            double perFb = (double) timed / ((long) feedbacks * viewers);
            System.out.printf("round %d: %d viewers, %d packets/feedback: %.0f ns per feedback (with its packets), %.0f ns per packet; %d%n",
                    round, viewers, perFeedback, perFb, perFb / perFeedback, sink % 10);
        }
    }
}
