package dev.vireo.srt;

import dev.vireo.srt.lib.LibSrt;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * libsrt's listen callback ({@code srt_listen_callback}): called on libsrt's receiver thread for
 * every conclusion handshake, before the connection exists. An exception escaping an upcall ends
 * the JVM, so everything is caught; nothing here does I/O (the decision is {@link Admission}'s, from
 * memory; the log line is queued for the {@link SrtLoop} to write). An accepted caller gets its
 * stream's passphrase on its socket here — per stream, not per listener — and the admission waits
 * in {@link SrtLoop#pending} for {@code srt_accept}. A refused one gets an {@code SRT_REJX_*} code
 * ({@code srt_setrejectreason}) that its libsrt reports.
 */
final class ListenCallback implements LibSrt.ListenHook {

    private final LibSrt lib;
    private final Admission admission;
    private final SrtLoop loop;
    private final int maxPending;

    ListenCallback(LibSrt lib, Admission admission, SrtLoop loop, int maxPending) {
        this.lib = lib;
        this.admission = admission;
        this.loop = loop;
        this.maxPending = maxPending;
    }

    @Override
    public int onListen(MemorySegment opaque, int socket, int hsVersion, MemorySegment peerAddr, MemorySegment streamId) {
        long start = System.nanoTime();
        String peer = "?";
        String sid = "";
        try {
            InetSocketAddress a = LibSrt.fromSockaddr(peerAddr);
            peer = a == null ? "?" : a.getAddress().getHostAddress() + ":" + a.getPort();
            sid = LibSrt.cString(streamId, 513);
            if (loop.pending.size() >= maxPending) {
                return reject(socket, RejectCode.OVERLOAD, peer, sid, maxPending + " handshakes already pending");
            }
            Admission.Decision d = admission.decide(sid, peer);
            if (d instanceof Admission.Reject r) {
                return reject(socket, r.code(), peer, sid, r.reason());
            }
            Admission.Accept accept = (Admission.Accept) d;
            if (!accept.passphrase().isEmpty()) {
                lib.setString(socket, LibSrt.SRTO_PASSPHRASE, accept.passphrase());
            }
            long now = System.nanoTime();
            loop.pending.put(socket, new SrtLoop.Pending(accept, peer, now, now - start));
            return 0;
        } catch (Throwable t) {
            try {
                return reject(socket, RejectCode.INTERNAL_ERROR, peer, sid, "internal error: " + t);
            } catch (Throwable ignored) {
                return -1;
            }
        }
    }

    private int reject(int socket, int code, String peer, String sid, String reason) {
        lib.setRejectReason(socket, code);
        loop.counters.reject();
        if (loop.rejectionsQueued.incrementAndGet() <= SrtLoop.MAX_REJECTIONS_QUEUED) {
            loop.rejections.offer("SRT handshake from " + peer + " refused (" + code + "): " + reason
                    + " [streamid '" + printable(sid) + "']");
        } else {
            loop.rejectionsQueued.decrementAndGet();
        }
        return -1;
    }

    /** The streamid for a log line, without a token's signature. */
    private static String printable(String sid) {
        String s = sid.length() > 200 ? sid.substring(0, 200) + "..." : sid;
        return s.replaceAll("auth_key=([0-9]+-[^-,&]*-[^-,&]*-)[^,&]*", "auth_key=$1...");
    }
}
