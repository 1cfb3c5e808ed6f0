package dev.vireo.webrtc.transport;

import io.netty.channel.unix.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP generic segmentation offload (Linux {@code UDP_SEGMENT}, kernel 4.18+) on one media
 * socket. A run of RTP packets to one peer, all of one size but the last (which may be shorter),
 * leaves in one send as one large datagram that the kernel cuts into the packets as late as it
 * can (in the driver or the NIC): the network stack is walked once per run instead of once per
 * packet, which is most of the cost of fan-out.
 *
 * <p>The kernel refuses such a send with EIO when the outgoing device cannot checksum it (some
 * virtual NICs): then offload is turned off for the socket, with a warning, and every packet goes
 * on its own; the run that failed is lost, as a lost packet would be (NACK recovers it).
 */
public final class SegmentationOffload {

    private static final Logger log = LoggerFactory.getLogger(SegmentationOffload.class);

    /** UDP_MAX_SEGMENTS of include/linux/udp.h (64 before Linux 6.9, 128 since). */
    static final int MAX_SEGMENTS = 64;
    /** A run must fit one IP datagram (65,535 bytes with the headers). */
    static final int MAX_BYTES = 65_000;
    private static final int EIO = 5;

    private final String socket;
    private volatile boolean enabled;

    public SegmentationOffload(boolean enabled, String socket) {
        this.enabled = enabled;
        this.socket = socket;
    }

    public boolean enabled() {
        return enabled;
    }

    /** The most packets of {@code segmentSize} bytes one send may carry: 1 without offload. */
    public int maxSegments(int segmentSize) {
        if (!enabled || segmentSize <= 0) {
            return 1;
        }
        return Math.max(1, Math.min(MAX_SEGMENTS, MAX_BYTES / segmentSize));
    }

    /** A send on the socket failed: turns offload off when the kernel refused segmentation. */
    void onSendError(Throwable cause) {
        if (enabled && cause instanceof Errors.NativeIoException e && Math.abs(e.expectedErr()) == EIO) {
            enabled = false;
            log.warn("UDP segmentation offload refused on {} ({}): sending every RTP packet on its own", socket,
                    e.getMessage());
        }
    }
}
