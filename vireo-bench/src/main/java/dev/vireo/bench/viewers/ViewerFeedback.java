package dev.vireo.bench.viewers;

import dev.vireo.webrtc.rtcp.ReceiverReport;
import dev.vireo.webrtc.rtcp.ReportBlock;
import dev.vireo.webrtc.rtcp.RtcpCompound;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import dev.vireo.webrtc.rtcp.TransportCcRecorder;
import dev.vireo.webrtc.rtp.RtpHeader;
import dev.vireo.webrtc.rtp.RtpHeaderExtensions;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * What a bench WHEP viewer sends back, as Chromium does, so the server's CPU per viewer includes
 * its feedback handling (its bandwidth estimator): transport-wide CC feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) for every packet's transport-wide
 * sequence number, every {@link #FEEDBACK_MILLIS} ms, and a receiver report (RFC 3550 §6.4.2) on
 * the video once a second. The sequence numbers are read from the RTP header extension, which
 * SRTP leaves in clear: no decryption. Plain RTCP out; the viewer protects it. Loop-confined.
 */
final class ViewerFeedback {

    /** Chromium sends transport-cc feedback about every 50-100 ms. */
    static final long FEEDBACK_MILLIS = 75;
    /** The transport-cc extension id of {@link WhepOffer}'s offer (the answer keeps the offer's ids). */
    static final int TRANSPORT_CC_ID = 4;
    private static final long REPORT_NANOS = 1_000_000_000L;

    private final int ssrc;
    private final TransportCcRecorder recorder = new TransportCcRecorder(System.nanoTime());
    private int videoSsrc;
    private long highestVideoSequence = -1;
    private long videoPackets;
    private long lastReportNanos = System.nanoTime();
    private long feedbacks;

    ViewerFeedback(int ssrc) {
        this.ssrc = ssrc;
    }

    /** An RTP packet (header in clear) arrived: its transport-wide number is recorded. */
    void onRtp(ByteBuf packet, boolean video, long nowNanos) {
        RtpHeader header;
        ByteBuf ext;
        try {
            header = RtpHeader.parse(packet);
            ext = RtpHeaderExtensions.find(packet, header, TRANSPORT_CC_ID);
        } catch (RuntimeException e) {
            return;
        }
        if (video) {
            videoSsrc = header.ssrc();
            videoPackets++;
            int seq = header.sequenceNumber();
            highestVideoSequence = highestVideoSequence < 0 ? seq
                    : highestVideoSequence + (short) (seq - (int) highestVideoSequence);
        }
        if (ext != null && ext.readableBytes() >= 2) {
            recorder.record(ext.getUnsignedShort(ext.readerIndex()), nowNanos);
        }
    }

    /**
     * Writes the RTCP due now (a receiver report, then the transport-cc feedback of what arrived
     * since the last one) into {@code out}; false when there is nothing to send.
     */
    boolean write(ByteBuf out, long nowNanos) {
        List<RtcpPacket> packets = new ArrayList<>(2);
        List<ReportBlock> blocks = List.of();
        if (nowNanos - lastReportNanos >= REPORT_NANOS && highestVideoSequence >= 0) {
            lastReportNanos = nowNanos;
            blocks = List.of(new ReportBlock(videoSsrc, 0, 0, highestVideoSequence & 0xFFFF_FFFFL, 0, 0, 0));
        }
        TransportCcFeedback twcc = recorder.feedback(ssrc, videoSsrc);
        if (twcc == null && blocks.isEmpty()) {
            return false;
        }
        packets.add(new ReceiverReport(ssrc, blocks));
        if (twcc != null) {
            packets.add(twcc);
            feedbacks++;
        }
        RtcpCompound.write(out, packets);
        return true;
    }

    long feedbacks() {
        return feedbacks;
    }
}
