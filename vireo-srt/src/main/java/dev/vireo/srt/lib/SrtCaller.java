package dev.vireo.srt.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;

/**
 * A blocking libsrt caller in live mode: what an encoder or a player does, for tests and the
 * benchmark harness (not the server's data path). A refused connection throws
 * {@link Rejected} with the code the listener set ({@code srt_getrejectreason}).
 */
public final class SrtCaller implements AutoCloseable {

    /** The listener refused the handshake. */
    public static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        private final int code;

        Rejected(int code, String text) {
            super("SRT connection rejected: " + code + " " + text);
            this.code = code;
        }

        /** libsrt's {@code SRT_REJ_*} (below 1000) or the server's {@code SRT_REJX_*} code. */
        public int code() {
            return code;
        }
    }

    private final LibSrt lib;
    private final int sock;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf;
    private final MemorySegment perf;

    private SrtCaller(LibSrt lib, int sock) {
        this.lib = lib;
        this.sock = sock;
        this.buf = arena.allocate(LibSrt.LIVE_MAX_PAYLOAD, 8);
        this.perf = arena.allocate(SrtStats.SIZE, 8);
    }

    /**
     * Connects to {@code address} with {@code streamId}; {@code passphrase} "" for none.
     *
     * @throws Rejected when the listener refuses (the code it sent)
     */
    public static SrtCaller connect(InetSocketAddress address, String streamId, String passphrase, int latencyMs)
            throws Rejected {
        LibSrt lib = LibSrt.get();
        lib.startup();
        int s = lib.createSocket();
        try {
            lib.setInt(s, LibSrt.SRTO_TRANSTYPE, LibSrt.SRTT_LIVE);
            lib.setInt(s, LibSrt.SRTO_LATENCY, latencyMs);
            lib.setInt(s, LibSrt.SRTO_CONNTIMEO, 3000);
            lib.setInt(s, LibSrt.SRTO_RCVTIMEO, 3000);
            lib.setString(s, LibSrt.SRTO_STREAMID, streamId);
            if (!passphrase.isEmpty()) {
                lib.setString(s, LibSrt.SRTO_PASSPHRASE, passphrase);
            }
            lib.connect(s, address);
        } catch (SrtException e) {
            int code = lib.getRejectReason(s);
            lib.close(s);
            String text = code < 1000 ? lib.rejectReasonText(code) : e.getMessage();
            lib.cleanup();
            throw new Rejected(code, text);
        }
        return new SrtCaller(lib, s);
    }

    /** Sends one message (at most {@link LibSrt#LIVE_DEFAULT_PAYLOAD} bytes). */
    public void send(byte[] data, int offset, int length) {
        MemorySegment.copy(data, offset, buf, ValueLayout.JAVA_BYTE, 0, length);
        if (lib.sendmsg(sock, buf, length) < 0) {
            throw new SrtException(lib.lastError(), "srt_sendmsg2: " + lib.lastErrorString());
        }
    }

    /** Receives one message into {@code into}; its length, or -1 at the end of the connection or a timeout. */
    public int receive(byte[] into) {
        int n = lib.recvmsg(sock, buf, (int) buf.byteSize());
        if (n < 0) {
            return -1;
        }
        int len = Math.min(n, into.length);
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, into, 0, len);
        return len;
    }

    /** This side's libsrt statistics. */
    public SrtStats stats() {
        return lib.bstats(sock, perf) ? SrtStats.read(perf) : null;
    }

    @Override
    public void close() {
        lib.close(sock);
        arena.close();
        lib.cleanup();
    }
}
