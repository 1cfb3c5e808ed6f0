package dev.vireo.webrtc.whip;

import dev.vireo.webrtc.rtp.RtpException;
import dev.vireo.webrtc.rtp.RtpHeader;
import dev.vireo.webrtc.rtp.RtpHeaderExtensions;
import dev.vireo.webrtc.sdp.SimulcastOffer;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Which simulcast layer an RTP packet of the video section belongs to (RFC 8853 with RFC 8852):
 * the sender gives every layer its own SSRC and names the layer in the RtpStreamId header
 * extension of that SSRC's packets — Chromium on the first packets of each SSRC only, until a
 * receiver report acknowledges it — and its retransmissions (RTX, RFC 4588) on an SSRC of their
 * own with the RepairedRtpStreamId. A packet binds its SSRC to the layer its rid names; later
 * packets are routed by SSRC alone; a new SSRC naming a known layer replaces the old one (the
 * sender restarted the layer). Packets of an SSRC not bound yet that carry no known rid are
 * dropped and counted. Pure: no sockets, no threads (the session's loop calls it).
 */
final class SimulcastDemux {

    private final List<String> rids;
    private final byte[][] ridBytes;
    private final int ridId;
    private final int repairedRidId;
    private final int[] ssrcs;
    private final boolean[] bound;
    private final int[] rtxSsrcs;
    private final boolean[] rtxBound;
    private long unrouted;

    SimulcastDemux(SimulcastOffer offer) {
        this.rids = offer.layers();
        this.ridBytes = rids.stream().map(r -> r.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
        this.ridId = offer.ridId();
        this.repairedRidId = offer.repairedRidId();
        this.ssrcs = new int[rids.size()];
        this.bound = new boolean[rids.size()];
        this.rtxSsrcs = new int[rids.size()];
        this.rtxBound = new boolean[rids.size()];
    }

    int layers() {
        return rids.size();
    }

    String rid(int layer) {
        return rids.get(layer);
    }

    /** The layer of a media packet (the video's payload type), or -1 (counted as unrouted). */
    int layerOf(ByteBuf packet, RtpHeader header) {
        return route(packet, header, ridId, ssrcs, bound);
    }

    /** The layer a retransmission (the video's RTX payload type) repairs, or -1 (counted as unrouted). */
    int layerOfRetransmission(ByteBuf packet, RtpHeader header) {
        return route(packet, header, repairedRidId, rtxSsrcs, rtxBound);
    }

    private int route(ByteBuf packet, RtpHeader header, int extensionId, int[] bySsrc, boolean[] known) {
        int named = named(packet, header, extensionId);
        int ssrc = header.ssrc();
        if (named >= 0) {
            if (!known[named] || bySsrc[named] != ssrc) {
                for (int i = 0; i < bySsrc.length; i++) {
                    if (known[i] && bySsrc[i] == ssrc) {
                        known[i] = false; // the SSRC moved to another layer
                    }
                }
                bySsrc[named] = ssrc;
                known[named] = true;
            }
            return named;
        }
        for (int i = 0; i < bySsrc.length; i++) {
            if (known[i] && bySsrc[i] == ssrc) {
                return i;
            }
        }
        unrouted++;
        return -1;
    }

    /** The layer the packet's rid extension names, or -1 (none, malformed, or not a layer of the answer). */
    private int named(ByteBuf packet, RtpHeader header, int extensionId) {
        if (extensionId <= 0) {
            return -1;
        }
        ByteBuf rid;
        try {
            rid = RtpHeaderExtensions.find(packet, header, extensionId);
        } catch (RtpException e) {
            return -1;
        }
        if (rid == null || !rid.isReadable()) {
            return -1;
        }
        byte[] value = new byte[rid.readableBytes()];
        rid.getBytes(rid.readerIndex(), value);
        int len = value.length;
        while (len > 0 && value[len - 1] == 0) {
            len--; // trailing NULs are not part of a rid-id (RFC 8851 §10)
        }
        for (int i = 0; i < ridBytes.length; i++) {
            if (Arrays.equals(ridBytes[i], 0, ridBytes[i].length, value, 0, len)) {
                return i;
            }
        }
        return -1;
    }

    /** The SSRC of a layer's media, or 0 before its first packet. */
    int ssrc(int layer) {
        return bound[layer] ? ssrcs[layer] : 0;
    }

    /** Packets dropped because no layer could be told for them. */
    long unrouted() {
        return unrouted;
    }
}
