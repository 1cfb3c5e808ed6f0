package dev.vireo.webrtc.bwe;

/**
 * One probe cluster (libwebrtc's term): a short burst of packets sent at a rate above the
 * estimate, whose transport-cc feedback tells whether the link carries that rate
 * ({@link ProbeBitrateEstimator}). Its packets carry its id from the sender to the feedback
 * ({@link TransportSequencer#probing}).
 *
 * @param id         the cluster's number (non-negative)
 * @param bps        the rate its packets are sent at
 * @param minPackets packets it is made of at least
 * @param minBytes   bytes it is made of at least (the rate times its minimum duration)
 */
public record ProbeCluster(int id, long bps, int minPackets, int minBytes) {

    public ProbeCluster {
        if (id < 0 || bps <= 0 || minPackets < 2 || minBytes <= 0) {
            throw new IllegalArgumentException("probe cluster " + id + " at " + bps + " bps, " + minPackets
                    + " packets, " + minBytes + " bytes");
        }
    }
}
