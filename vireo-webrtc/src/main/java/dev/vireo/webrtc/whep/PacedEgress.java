package dev.vireo.webrtc.whep;

import dev.vireo.webrtc.RtcTransport;
import dev.vireo.webrtc.bwe.TransportSequencer;
import dev.vireo.webrtc.pacing.SendPacer;
import dev.vireo.webrtc.rtp.RtpHeaderExtensions;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Where a viewer's video packets leave: straight to the transport while its link keeps up (the
 * common fast path: one GSO send per run, nothing queued), through a {@link SendPacer} at
 * {@link SendPacer#PACING_FACTOR} × the bandwidth estimate when the estimate is below what the
 * viewer is sent, or below what a burst needs (more than 40 ms of the pacing rate at once: a
 * keyframe, or a GOP resent for a PLI, on a slow link — spread instead of overflowing the link's
 * queue, as libwebrtc's pacer does), and until what was queued has left (packets never overtake
 * each other on one SSRC).
 *
 * <p>Paced packets are queued plain and leave one by one; each gets its transport-wide sequence
 * number, abs-send-time and SRTP protection when it leaves, as libwebrtc's pacer numbers them. So
 * the delay-based estimator sees when packets went on the wire, not when they were queued
 * (draft-ietf-rmcat-gcc-02 §5.2 takes send times as the sender's), and transport-wide numbers
 * follow the wire order: audio and retransmissions, sent at once, do not overtake video numbered
 * before them (Chromium's feedback reported such video lost, which read as 10-40 % loss and
 * collapsed the loss-based estimate). On the session's loop only.
 */
final class PacedEgress {

    /** A plain packet waiting, which {@code header} wrote: numbered, stamped and protected when it leaves. */
    private record Packet(ByteBuf bytes, RtpHeaderWriter header) {
    }

    /** A burst of more than this much of the pacing rate goes through the pacer. */
    private static final long BURST_NANOS = 40_000_000;

    /**
     * After a rendition switch, everything goes through the pacer at 1 × the estimate (not
     * {@link SendPacer#PACING_FACTOR} ×) for this long: the switch keyframe follows a rendition the
     * link could not carry, so the bottleneck's queue is full and a keyframe sent faster than the
     * link drains would lose packets there.
     */
    private static final long SWITCH_PACING_NANOS = 1_000_000_000L;

    private final RtcTransport transport;
    private final TransportSequencer sequencer;
    private final LongSupplier estimateBps;
    private final LongSupplier sendBps;
    private SendPacer<Packet> pacer;
    private ScheduledFuture<?> timer;
    private boolean closed;
    private volatile long pacedPackets;
    private volatile long droppedPackets;
    /** Bytes sent directly, draining at the pacing rate: the burst being made. */
    private double directBytes;
    private long directNanos;
    private long gentleUntilNanos = Long.MIN_VALUE;
    private volatile long discardedPackets;
    private volatile int queuedPackets;
    private volatile long queueDelayMillis;

    /**
     * @param estimateBps the viewer's bandwidth estimate, -1 while unknown (never paced then)
     * @param sendBps     what the viewer was sent over the last second, -1 while unknown
     */
    PacedEgress(RtcTransport transport, TransportSequencer sequencer, LongSupplier estimateBps,
                LongSupplier sendBps) {
        this.transport = transport;
        this.sequencer = sequencer;
        this.estimateBps = estimateBps;
        this.sendBps = sendBps;
    }

    /**
     * Whether a run of {@code bytes} (protected) may go straight to the transport now; it then
     * counts toward the burst being made. False: it must be queued ({@link #enqueuePlain}), so it
     * leaves behind what is queued already.
     */
    boolean direct(int bytes, long nowNanos) {
        boolean queueEmpty = pacer == null || pacer.queuedPackets() == 0;
        long estimate = estimateBps.getAsLong();
        boolean gentle = estimate > 0 && nowNanos < gentleUntilNanos;
        if (closed || queueEmpty && !gentle && !constrained(estimate) && !burst(estimate, bytes, nowNanos)) {
            directBytes += bytes;
            return true;
        }
        return false;
    }

    /**
     * Queues one plain (not yet protected) RTP packet that {@code header} wrote at its reader
     * index. When it leaves, it gets the next transport-wide sequence number and its abs-send-time
     * (so transport-cc numbers follow the order packets go on the wire, as libwebrtc's pacer
     * numbers them: numbered when built, queued video would be overtaken by later-numbered audio
     * and retransmissions, and the receiver's feedback would report it lost), and is protected
     * then. Takes ownership of {@code packet}.
     *
     * @return false when the queue's bound refused it
     */
    boolean enqueuePlain(ByteBuf packet, RtpHeaderWriter header, long nowNanos) {
        pacer(nowNanos);
        if (!pacer.enqueue(new Packet(packet, header), packet.readableBytes()
                + transport.srtpProfile().rtpTagLength(), false, nowNanos)) {
            packet.release();
            droppedPackets++;
            return false;
        }
        pacedPackets++;
        drain(nowNanos);
        return true;
    }

    private void pacer(long nowNanos) {
        long estimate = estimateBps.getAsLong();
        double factor = estimate > 0 && nowNanos < gentleUntilNanos ? 1 : SendPacer.PACING_FACTOR;
        if (pacer == null) {
            pacer = new SendPacer<>(SendPacer.Config.DEFAULT, Math.max(1, (long) (estimate * factor)), nowNanos);
        } else if (estimate > 0) {
            pacer.setRate(Math.max(1, (long) (estimate * factor)), nowNanos);
        }
    }

    /**
     * Whether {@code bytes} more now would make a burst the link cannot take: what went out
     * directly, drained at the pacing rate, exceeds {@link #BURST_NANOS} of that rate (a keyframe
     * or a GOP resent for a PLI on a link only a little faster than the stream).
     */
    private boolean burst(long estimate, int bytes, long nowNanos) {
        if (estimate <= 0) {
            return false;
        }
        double rate = estimate * SendPacer.PACING_FACTOR / 8e9; // bytes per ns
        directBytes = Math.max(0, directBytes - rate * (nowNanos - directNanos));
        directNanos = nowNanos;
        return directBytes + bytes > rate * BURST_NANOS;
    }

    /** The estimate is below what the viewer is sent: its link cannot carry the stream's bursts. */
    private boolean constrained(long estimate) {
        long rate = sendBps.getAsLong();
        return estimate >= 0 && rate > 0 && estimate < rate;
    }

    private void drain(long nowNanos) {
        pacer.drain(nowNanos, p -> {
            ByteBuf b = p.bytes();
            int sequence = sequencer.numbering() ? sequencer.next(b.readableBytes(), nowNanos) : 0;
            p.header().rewriteSendFields(b, b.readerIndex(), RtpHeaderExtensions.absSendTime(nowNanos), sequence);
            transport.writeRtp(b);
        });
        queuedPackets = pacer.queuedPackets();
        queueDelayMillis = pacer.queueDelayNanos(nowNanos) / 1_000_000;
        long next = pacer.nextSendNanos(nowNanos);
        if (next != Long.MAX_VALUE && timer == null && !closed) {
            timer = transport.executor().schedule(this::onTimer, Math.max(0, next - nowNanos), TimeUnit.NANOSECONDS);
        }
    }

    private void onTimer() {
        timer = null;
        if (!closed) {
            try {
                drain(System.nanoTime());
            } catch (RuntimeException e) {
                // a scheduled task's exception is kept in its future, unseen: log it
                org.slf4j.LoggerFactory.getLogger(PacedEgress.class).warn("pacer drain failed", e);
            }
        }
    }

    /** Packets that went through the pacer (not straight out). */
    long pacedPackets() {
        return pacedPackets;
    }

    /** Packets the pacer's bound refused. */
    long droppedPackets() {
        return droppedPackets;
    }

    /** A packet dropped at a switch: its RTP sequence number and timestamp (the header is in the clear). */
    @FunctionalInterface
    interface Dropped {
        void dropped(int sequenceNumber, int timestamp);
    }

    /**
     * The viewer's video moved to another rendition: the previous one's packets still waiting are
     * dropped (the switch keyframe makes them useless, and they would delay it on a link that is
     * already full; they were not numbered yet, so the estimate never sees them), each told to
     * {@code dropped} in order, and the next {@link #SWITCH_PACING_NANOS} are paced at the estimate.
     *
     * @return the packets dropped
     */
    int onSwitch(long nowNanos, Dropped dropped) {
        gentleUntilNanos = nowNanos + SWITCH_PACING_NANOS;
        if (pacer == null) {
            return 0;
        }
        int n = pacer.clear(p -> {
            ByteBuf b = p.bytes();
            dropped.dropped(b.getUnsignedShort(b.readerIndex() + 2), b.getInt(b.readerIndex() + 4));
            b.release();
        });
        discardedPackets += n;
        queuedPackets = 0;
        queueDelayMillis = 0;
        return n;
    }

    /** Packets of a previous rendition dropped from the queue at a switch. */
    long discardedPackets() {
        return discardedPackets;
    }

    /** Packets waiting in the pacer after its last drain (read from any thread). */
    int queuedPackets() {
        return queuedPackets;
    }

    /** How long the oldest of them had waited then, ms. */
    long queueDelayMillis() {
        return queueDelayMillis;
    }

    /** Whether packets are waiting now. */
    boolean pacing() {
        return pacer != null && pacer.queuedPackets() > 0;
    }

    void close() {
        closed = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (pacer != null) {
            pacer.clear(p -> p.bytes().release());
        }
    }
}
