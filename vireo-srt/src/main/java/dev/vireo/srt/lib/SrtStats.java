package dev.vireo.srt.lib;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What {@code srt_bstats} reports for one connection (its {@code struct CBytePerfMon}), the fields a
 * server shows. Totals since the connection started; rates and RTT are libsrt's current estimates.
 *
 * @param rttMs smoothed round-trip time
 * @param packetsReceived data packets received, retransmissions included
 * @param packetsSent data packets sent, retransmissions included
 * @param receiveLoss packets the receiver found missing (gaps), before retransmission
 * @param sendLoss packets the peer reported lost
 * @param retransmitted packets this side sent again
 * @param retransmittedReceived retransmitted packets this side received
 * @param receiveDropped packets that came too late to play and were dropped (unrecovered loss)
 * @param sendDropped packets dropped by the sender as too late
 * @param bytesReceived payload bytes received
 * @param bytesSent payload bytes sent
 * @param receiveMbps current receiving rate
 * @param sendMbps current sending rate
 * @param receiveBufferMs time span of data waiting in the receive buffer
 */
public record SrtStats(double rttMs, long packetsReceived, long packetsSent, long receiveLoss, long sendLoss,
                       long retransmitted, long retransmittedReceived, long receiveDropped, long sendDropped,
                       long bytesReceived, long bytesSent, double receiveMbps, double sendMbps, int receiveBufferMs) {

    /** {@code sizeof(struct CBytePerfMon)} in libsrt 1.5.x on LP64 (fields are only appended across 1.5). */
    public static final int SIZE = 496;

    // Offsets of struct CBytePerfMon, libsrt 1.5.1 (srt.h), x86-64/aarch64 LP64.
    private static final long PKT_SENT_TOTAL = 8;           // int64_t pktSentTotal
    private static final long PKT_RECV_TOTAL = 16;          // int64_t pktRecvTotal
    private static final long PKT_SND_LOSS_TOTAL = 24;      // int pktSndLossTotal
    private static final long PKT_RCV_LOSS_TOTAL = 28;      // int pktRcvLossTotal
    private static final long PKT_RETRANS_TOTAL = 32;       // int pktRetransTotal
    private static final long PKT_SND_DROP_TOTAL = 64;      // int pktSndDropTotal
    private static final long PKT_RCV_DROP_TOTAL = 68;      // int pktRcvDropTotal
    private static final long BYTE_SENT_TOTAL = 80;         // uint64_t byteSentTotal
    private static final long BYTE_RECV_TOTAL = 88;         // uint64_t byteRecvTotal
    private static final long PKT_RCV_RETRANS = 164;        // int pktRcvRetrans (local; never cleared here)
    private static final long MBPS_SEND_RATE = 184;         // double mbpsSendRate
    private static final long MBPS_RECV_RATE = 192;         // double mbpsRecvRate
    private static final long MS_RTT = 328;                 // double msRTT
    private static final long MS_RCV_BUF = 388;             // int msRcvBuf

    /** Reads a filled {@code CBytePerfMon}. */
    public static SrtStats read(MemorySegment perf) {
        return new SrtStats(
                perf.get(ValueLayout.JAVA_DOUBLE, MS_RTT),
                perf.get(ValueLayout.JAVA_LONG, PKT_RECV_TOTAL),
                perf.get(ValueLayout.JAVA_LONG, PKT_SENT_TOTAL),
                perf.get(ValueLayout.JAVA_INT, PKT_RCV_LOSS_TOTAL),
                perf.get(ValueLayout.JAVA_INT, PKT_SND_LOSS_TOTAL),
                perf.get(ValueLayout.JAVA_INT, PKT_RETRANS_TOTAL),
                perf.get(ValueLayout.JAVA_INT, PKT_RCV_RETRANS),
                perf.get(ValueLayout.JAVA_INT, PKT_RCV_DROP_TOTAL),
                perf.get(ValueLayout.JAVA_INT, PKT_SND_DROP_TOTAL),
                perf.get(ValueLayout.JAVA_LONG, BYTE_RECV_TOTAL),
                perf.get(ValueLayout.JAVA_LONG, BYTE_SENT_TOTAL),
                perf.get(ValueLayout.JAVA_DOUBLE, MBPS_RECV_RATE),
                perf.get(ValueLayout.JAVA_DOUBLE, MBPS_SEND_RATE),
                perf.get(ValueLayout.JAVA_INT, MS_RCV_BUF));
    }
}
