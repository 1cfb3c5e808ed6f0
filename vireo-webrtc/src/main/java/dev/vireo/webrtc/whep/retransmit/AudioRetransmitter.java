package dev.vireo.webrtc.whep.retransmit;

import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.feedback.NackResponder;
import io.netty.buffer.ByteBuf;

/**
 * Generic NACK on a viewer's audio (RFC 4585 §6.2.1), for a peer that negotiated it: the audio
 * packets are kept as sent ({@link AudioHistory}) and a lost one is resent byte for byte. There is
 * no RTX for audio, and a rebuilt header under the same SRTP index would reuse an AES-GCM nonce
 * with other data (RFC 7714 §8.1). On the session's loop; the counter is read anywhere.
 */
public final class AudioRetransmitter implements NackResponder.Retransmitter {

    private final RtcTransport transport;
    private final AudioHistory history;
    private volatile long notInHistory;

    /** @param maxAgeNanos how long after sending a packet may be resent */
    public AudioRetransmitter(RtcTransport transport, long maxAgeNanos) {
        this.transport = transport;
        this.history = new AudioHistory(maxAgeNanos);
    }

    /** Keeps the protected packet {@code buf[start, start+length)} sent under {@code sequence}. */
    public void keep(int sequence, ByteBuf buf, int start, int length, long nowNanos) {
        history.put(sequence, buf, start, length, nowNanos);
    }

    /**
     * Resends packet {@code sequence} as it was sent.
     *
     * @return false when it is not kept (any more) or was resent a moment ago
     */
    @Override
    public boolean retransmit(int sequence, long nowNanos, long rttNanos) {
        ByteBuf packet = transport.alloc().directBuffer(AudioHistory.MAX_BYTES);
        int length = history.resend(sequence, packet, nowNanos);
        if (length < 0) {
            packet.release();
            notInHistory++;
            return false;
        }
        return transport.writeRtpSegments(packet, length, 1);
    }

    /** NACKed audio packets not resent: no longer kept. */
    public long notInHistory() {
        return notInHistory;
    }
}
