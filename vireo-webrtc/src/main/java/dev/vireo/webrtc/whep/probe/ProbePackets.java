package dev.vireo.webrtc.whep.probe;

import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.TransportSequencer;
import dev.vireo.webrtc.rtp.RtpPadding;
import dev.vireo.webrtc.whep.retransmit.RetransmissionBuffer;
import dev.vireo.webrtc.whep.retransmit.RtxStream;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * What a viewer's probing sends: its newest media packets again on the RTX stream (RFC 4588;
 * libwebrtc's "payload padding": a duplicate the receiver discards, as big as a media packet, so
 * probing needs fewer packets than with padding-only ones), walking back from the newest, or
 * padding-only RTX packets (RFC 3550 §5.1) when the history has none. Nothing while the pacer
 * holds video (media first). Not a retransmission: not marked or counted as one. On the session's
 * loop; the byte count is read anywhere.
 */
public final class ProbePackets {

    /** Probing repeats media packets from at most this far back (the newest ones). */
    private static final int PACKETS_BACK = 32;
    /** Less than this is not worth a packet. */
    private static final int MIN_BYTES = 64;

    private final RtcTransport transport;
    private final RtxStream rtx;
    private final RetransmissionBuffer history;
    private final TransportSequencer transportSequences;
    private final IntSupplier nextMediaSequence;
    private final IntSupplier lastMediaTimestamp;
    private final BooleanSupplier mediaQueued;
    /** The media packet sent again next (walking back from the newest). */
    private int cursor;
    private volatile long bytes;

    /**
     * @param history           the video's sent frames, or null (padding-only packets then)
     * @param nextMediaSequence the sequence number the video's next packet will carry
     * @param lastMediaTimestamp the RTP timestamp of the video's last packet (padding packets carry it)
     * @param mediaQueued       whether video waits in the pacer (no probing then)
     */
    public ProbePackets(RtcTransport transport, RtxStream rtx, RetransmissionBuffer history,
                        TransportSequencer transportSequences, IntSupplier nextMediaSequence,
                        IntSupplier lastMediaTimestamp, BooleanSupplier mediaQueued) {
        this.transport = transport;
        this.rtx = rtx;
        this.history = history;
        this.transportSequences = transportSequences;
        this.nextMediaSequence = nextMediaSequence;
        this.lastMediaTimestamp = lastMediaTimestamp;
        this.mediaQueued = mediaQueued;
    }

    /**
     * Sends about {@code budget} bytes (one packet more at most).
     *
     * @return the bytes sent
     */
    public long send(long budget, long nowNanos) {
        if (mediaQueued.getAsBoolean()) {
            return 0;
        }
        long sent = 0;
        while (budget - sent >= MIN_BYTES) {
            int newest = nextMediaSequence.getAsInt() - 1 & 0xFFFF;
            if ((newest - cursor & 0xFFFF) >= PACKETS_BACK) {
                cursor = newest;
            }
            int n = sendRedundant(cursor, nowNanos);
            cursor = cursor - 1 & 0xFFFF;
            if (n == 0) {
                n = rtx.sendPadding(transport, (int) Math.min(RtpPadding.MAX_LENGTH, budget - sent),
                        lastMediaTimestamp.getAsInt(), transportSequences, nowNanos);
            }
            if (n == 0) {
                break;
            }
            sent += n;
        }
        bytes += sent;
        return sent;
    }

    /** Media packet {@code sequenceNumber} again on the RTX stream; 0 when not sent. */
    private int sendRedundant(int sequenceNumber, long nowNanos) {
        if (!rtx.enabled() || history == null || transport.srtpProfile() == null) {
            return 0;
        }
        int slot = history.find(sequenceNumber, nowNanos);
        if (slot < 0) {
            return 0;
        }
        return rtx.resend(transport, history, slot, sequenceNumber, transportSequences, nowNanos);
    }

    /** Bytes sent to probe (not in the viewer's media bytes). */
    public long bytes() {
        return bytes;
    }
}
