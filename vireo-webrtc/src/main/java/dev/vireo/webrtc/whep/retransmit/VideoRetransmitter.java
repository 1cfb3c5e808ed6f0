package dev.vireo.webrtc.whep.retransmit;

import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.TransportSequencer;
import dev.vireo.webrtc.feedback.NackResponder;

/**
 * Answers a viewer's NACKs for its video (RFC 4585 §6.2.1) with RTX (RFC 4588) from the frames it
 * was sent ({@link RetransmissionBuffer}), never with a plain resend on the media SSRC: that would
 * send the packet again under its own sequence number, so its SRTP index, with other header
 * extension values (abs-send-time, transport-wide number) than the first time; with
 * AEAD_AES_GCM that is a nonce used twice on different data, which gives the authentication key
 * away (RFC 7714 §8.1), and with AES-CM a keystream used twice. A peer without RTX recovers by PLI
 * (counted in {@link #nacksWithoutRtx}). Chromium and aiortc negotiate RTX.
 *
 * <p>A NACK is not answered when the packet is gone from the history, was resent less than about
 * a round trip ago (the first retransmission is still on its way), belongs to the rendition
 * before the last switch ({@link #onSwitch}), or the {@link RetransmissionBudget} has nothing
 * left; a NACK for a recent FEC packet gets an empty packet of its number ({@link FecSequences}).
 * On the session's loop; the counters are read anywhere (approximate).
 */
public final class VideoRetransmitter implements NackResponder.Retransmitter {

    /**
     * Bounds of the gap between two retransmissions of one packet: a NACK repeated within about
     * one round trip is a duplicate (the first retransmission is still on its way), a later one
     * means the retransmission was lost too.
     */
    private static final long MIN_RESEND_INTERVAL_NANOS = 5_000_000L;
    private static final long MAX_RESEND_INTERVAL_NANOS = 100_000_000L;
    /** What a retransmission costs the budget: about a full packet. */
    private static final int RETRANSMISSION_BYTES = 1200;
    /**
     * How long after a rendition switch NACKs for the previous rendition's packets are ignored
     * (beyond it, the history no longer has them: its horizon is 2 s).
     */
    private static final long PREVIOUS_RENDITION_NANOS = 10_000_000_000L;

    private final RtcTransport transport;
    private final RetransmissionBuffer history;
    private final RtxStream rtx;
    private final FecSequences fecSequences;
    private final TransportSequencer transportSequences;
    private RetransmissionBudget budget;
    /** The first video sequence number of the rendition switched to last, and when (MIN_VALUE: never). */
    private int switchSequence;
    private long switchNanos = Long.MIN_VALUE;
    private volatile long notInHistory;
    private volatile long resentRecently;
    private volatile long nacksWithoutRtx;
    private volatile long nacksOfPreviousRendition;

    /** @param history null when the peer did not negotiate NACK (nothing is ever resent) */
    public VideoRetransmitter(RtcTransport transport, RetransmissionBuffer history, RtxStream rtx,
                              FecSequences fecSequences, TransportSequencer transportSequences) {
        this.transport = transport;
        this.history = history;
        this.rtx = rtx;
        this.fecSequences = fecSequences;
        this.transportSequences = transportSequences;
    }

    /** Limits retransmissions to what the viewer's estimate leaves (set once, before any NACK). */
    public void budget(RetransmissionBudget budget) {
        this.budget = budget;
    }

    /** The video moved to another rendition; its packets start at {@code firstSequence}. */
    public void onSwitch(int firstSequence, long nowNanos) {
        switchSequence = firstSequence;
        switchNanos = nowNanos;
    }

    /**
     * Resends packet {@code lostSequence} as RTX.
     *
     * @param rttNanos the round-trip time to the viewer, or -1 when not known yet
     * @return false when it was not resent (see the class comment)
     */
    @Override
    public boolean retransmit(int lostSequence, long nowNanos, long rttNanos) {
        if (switchNanos != Long.MIN_VALUE && nowNanos - switchNanos < PREVIOUS_RENDITION_NANOS
                && (short) (lostSequence - switchSequence) < 0) {
            nacksOfPreviousRendition++; // of the rendition before the switch: the receiver needs it no more
            return false;
        }
        // the budget is spent only on packets that would be resent (not on ones gone from the history)
        if (budget != null && retransmittable(lostSequence, nowNanos, rttNanos)
                && !budget.allow(RETRANSMISSION_BYTES, nowNanos)) {
            return false;
        }
        if (history == null) {
            return false;
        }
        if (!rtx.enabled()) {
            nacksWithoutRtx++;
            return false;
        }
        int slot = history.find(lostSequence, nowNanos);
        if (slot < 0) {
            int fec = fecSequences.find(lostSequence);
            if (fec >= 0) {
                if (resentRecently(lostSequence, nowNanos, rttNanos)) {
                    return false;
                }
                history.markResent(lostSequence, nowNanos);
                return rtx.sendEmpty(transport, lostSequence, fecSequences.timestamp(fec), transportSequences,
                        nowNanos) > 0;
            }
            notInHistory++;
            return false;
        }
        if (resentRecently(lostSequence, nowNanos, rttNanos)) {
            return false;
        }
        history.markResent(lostSequence, nowNanos);
        return rtx.resend(transport, history, slot, lostSequence, transportSequences, nowNanos) > 0;
    }

    /** Counts it when {@code lostSequence} was resent less than about a round trip ago. */
    private boolean resentRecently(int lostSequence, long nowNanos, long rttNanos) {
        if (tooSoon(lostSequence, nowNanos, rttNanos)) {
            resentRecently++;
            return true;
        }
        return false;
    }

    private boolean tooSoon(int lostSequence, long nowNanos, long rttNanos) {
        long resent = history.resentNanos(lostSequence);
        long interval = Math.clamp(rttNanos < 0 ? 20_000_000L : rttNanos * 3 / 4, MIN_RESEND_INTERVAL_NANOS,
                MAX_RESEND_INTERVAL_NANOS);
        return resent != Long.MIN_VALUE && nowNanos - resent < interval;
    }

    /**
     * Whether a NACK for {@code lostSequence} would be answered with the packet itself now (in the
     * history, not resent within about a round trip): asked before the budget is spent on it.
     */
    private boolean retransmittable(int lostSequence, long nowNanos, long rttNanos) {
        return rtx.enabled() && history != null && history.find(lostSequence, nowNanos) >= 0
                && !tooSoon(lostSequence, nowNanos, rttNanos);
    }

    /** NACKed packets not resent: no longer (or never) in the history. */
    public long notInHistory() {
        return notInHistory;
    }

    /** NACKed packets not resent: resent less than about a round trip before. */
    public long resentRecently() {
        return resentRecently;
    }

    /** NACKed packets not resent because RTX was not negotiated. */
    public long nacksWithoutRtx() {
        return nacksWithoutRtx;
    }

    /** NACKed packets of the rendition before the last switch, not answered. */
    public long nacksOfPreviousRendition() {
        return nacksOfPreviousRendition;
    }

    /** Retransmissions the budget refused. */
    public long refused() {
        RetransmissionBudget b = budget;
        return b == null ? 0 : b.refused();
    }
}
