package dev.vireo.cluster.relay;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import io.netty.buffer.ByteBuf;

/**
 * The messages of the node-to-node relay protocol (byte layout: {@link RelayFrameReader}).
 *
 * <pre>
 *  edge (puller)                         origin (publisher's node)
 *    HELLO(version, nonceE, nodeId)  -->
 *                                    <--  CHALLENGE(nonceO, proofO)
 *    AUTH(proofE)                    -->
 *    PULL(vhost, app, stream)        -->
 *                                    <--  MEDIA ... (metadata, sequence headers, GOP cache, live)
 *                                    <--  END(reason)          the stream ended at the origin
 *                                    <--  ERROR(code, reason)  refused (authentication, not live)
 * </pre>
 */
public sealed interface RelayMessage {

    /** Protocol version carried in HELLO; a peer with another version is refused. */
    int VERSION = 1;

    /** Nonce and proof sizes (HMAC-SHA256). */
    int NONCE_BYTES = 32;
    int PROOF_BYTES = 32;

    /** Frees what the message holds (a MEDIA payload); a no-op for the others. */
    default void release() {
    }

    /** The edge opens: who it is and its challenge to the origin. */
    record Hello(int version, byte[] nonce, String nodeId) implements RelayMessage {
    }

    /** The origin's challenge to the edge, and its answer to the edge's challenge. */
    record Challenge(byte[] nonce, byte[] proof) implements RelayMessage {
    }

    /** The edge's answer to the origin's challenge. */
    record Auth(byte[] proof) implements RelayMessage {
    }

    /** The stream the edge wants. */
    record Pull(StreamKey key) implements RelayMessage {
    }

    /**
     * One hub frame: a media sample, a sequence header ({@code config}) or script data
     * ({@link Codec#AMF_DATA}), with its time stamps and flags; owns {@code payload}.
     */
    record Media(Codec codec, boolean keyframe, boolean config, long dts, int cts, ByteBuf payload)
            implements RelayMessage {

        /** The hub frame this carries; the payload's ownership moves to the frame. */
        public MediaFrame toFrame() {
            if (config) {
                return MediaFrame.config(codec, dts, payload);
            }
            if (codec == Codec.AMF_DATA) {
                return MediaFrame.data(dts, payload);
            }
            return MediaFrame.media(codec, dts, cts, keyframe, payload);
        }

        @Override
        public void release() {
            payload.release();
        }
    }

    /** The stream ended at the origin (publisher gone past its grace, kicked, server stopping). */
    record End(String reason) implements RelayMessage {
    }

    /** A refusal; the sender closes the connection after it. */
    record Error(int code, String reason) implements RelayMessage {

        public static final int AUTH_FAILED = 1;
        public static final int NOT_FOUND = 2;
        public static final int BAD_REQUEST = 3;
        public static final int UNAVAILABLE = 4;
    }
}
