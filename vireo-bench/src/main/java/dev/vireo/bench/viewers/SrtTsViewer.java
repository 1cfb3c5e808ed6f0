package dev.vireo.bench.viewers;

import dev.vireo.bench.measure.BenchClock;
import dev.vireo.bench.measure.FlowCounters;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.measure.WallclockSei;
import dev.vireo.media.ts.TsMuxer;
import dev.vireo.srt.lib.SrtCaller;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An SRT viewer: a libsrt caller that pulls MPEG-TS (from Vireo with {@code m=request}, or from an
 * {@code srt-live-transmit} relay) on its own thread and, for each access unit of the video PID,
 * reads the publisher's wallclock stamp ({@link WallclockSei}) as soon as the transport packets
 * that carry it arrive: no demuxing delay (a PES without length ends only when the next one
 * starts), so the number is the delivery latency of the SRT path itself.
 */
public final class SrtTsViewer implements AutoCloseable {

    private static final byte[] UUID = "VireoBenchClock1".getBytes(StandardCharsets.US_ASCII);
    private static final int TS = 188;

    private final SrtCaller caller;
    private final FlowCounters counters;
    private final Thread thread;
    /** The video PID's payload bytes not yet scanned past (a stamp can straddle two packets). */
    private final byte[] window = new byte[4096];
    private int windowLength;
    private long lastStamp;
    private volatile boolean closed;
    private volatile long bytes;

    private SrtTsViewer(SrtCaller caller, Measurement measurement) {
        this.caller = caller;
        this.counters = new FlowCounters(measurement, true);
        this.thread = Thread.ofPlatform().daemon().name("srt-viewer").start(this::run);
    }

    public static SrtTsViewer open(InetSocketAddress address, String streamId, int latencyMs, Measurement measurement)
            throws SrtCaller.Rejected {
        return new SrtTsViewer(SrtCaller.connect(address, streamId, "", latencyMs), measurement);
    }

    FlowCounters counters() {
        return counters;
    }

    long bytes() {
        return bytes;
    }

    private void run() {
        byte[] buf = new byte[1500];
        while (!closed) {
            int n = caller.receive(buf);
            if (n < 0) {
                continue; // a receive timeout (3 s) or the end: checked again
            }
            long now = BenchClock.nowNanos();
            bytes += n;
            for (int off = 0; off + TS <= n; off += TS) {
                packet(buf, off, now);
            }
        }
    }

    private void packet(byte[] b, int off, long now) {
        int pid = ((b[off + 1] & 0x1F) << 8) | (b[off + 2] & 0xFF);
        if (b[off] != 0x47 || pid != TsMuxer.VIDEO_PID || (b[off + 3] & 0x10) == 0) {
            return;
        }
        int start = off + 4;
        if ((b[off + 3] & 0x20) != 0) {
            start += 1 + (b[off + 4] & 0xFF); // adaptation field
        }
        int len = off + TS - start;
        if (len <= 0) {
            return;
        }
        if (windowLength + len > window.length) {
            // keep the last stamp's worth of bytes: one may straddle into this packet
            int keep = Math.min(windowLength, WallclockSei.NAL_SIZE + 8);
            System.arraycopy(window, windowLength - keep, window, 0, keep);
            windowLength = keep;
        }
        System.arraycopy(b, start, window, windowLength, len);
        int scanFrom = Math.max(0, windowLength - WallclockSei.NAL_SIZE);
        windowLength += len;
        for (int i = scanFrom; i + UUID.length + 16 <= windowLength; i++) {
            if (window[i] == UUID[0] && matches(i)) {
                long stamp = parseHex(i + UUID.length);
                if (stamp > lastStamp) {
                    lastStamp = stamp;
                    counters.onMedia(now, 0, true, stamp);
                }
                i += UUID.length + 15;
            }
        }
    }

    private boolean matches(int at) {
        for (int k = 0; k < UUID.length; k++) {
            if (window[at + k] != UUID[k]) {
                return false;
            }
        }
        return true;
    }

    private long parseHex(int at) {
        long v = 0;
        for (int k = 0; k < 16; k++) {
            int d = Character.digit(window[at + k], 16);
            if (d < 0) {
                return -1;
            }
            v = (v << 4) | d;
        }
        return v;
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        caller.close();
    }
}
