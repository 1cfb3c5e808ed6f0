package dev.vireo.webrtc.feedback;

import dev.vireo.webrtc.rtcp.RtcpCompound;
import dev.vireo.webrtc.rtcp.RtcpException;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The RTCP handlers of one session: a compound packet from the peer is parsed once (RFC 3550
 * §6.1) and each of its packets goes through every handler in order. A session builds its chain
 * from the handlers it needs (a WHEP viewer: NACK responder, keyframe requests, report and
 * bandwidth statistics; a WHIP publisher: sender reports, goodbye); a new concern is a new handler.
 */
public final class RtcpChain {

    private final RtcpHandler[] handlers;

    private RtcpChain(List<RtcpHandler> handlers) {
        this.handlers = handlers.toArray(RtcpHandler[]::new);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses a decrypted compound packet and hands its packets to the handlers.
     *
     * @throws RtcpException when the compound does not parse (nothing was handled)
     */
    public void receive(ByteBuf compound, long nowNanos) throws RtcpException {
        List<RtcpPacket> packets = RtcpCompound.parse(compound);
        for (RtcpPacket p : packets) {
            for (RtcpHandler h : handlers) {
                h.handle(p, nowNanos);
            }
        }
    }

    /** Collects handlers in the order they run. */
    public static final class Builder {

        private final List<RtcpHandler> handlers = new ArrayList<>();

        /** Adds a handler; null is allowed and skipped (a concern the session does not have). */
        public Builder add(RtcpHandler handler) {
            if (handler != null) {
                handlers.add(handler);
            }
            return this;
        }

        public RtcpChain build() {
            return new RtcpChain(handlers);
        }
    }
}
