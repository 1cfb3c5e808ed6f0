package dev.vireo.cluster.relay;

/**
 * A node-to-node relay peer broke the protocol (a frame too large, an unknown type, a field out of
 * its limits, a message out of order, a failed authentication). The message is the reason that
 * reaches the log; the connection closes, nothing else.
 */
public final class RelayProtocolException extends RuntimeException {

    public RelayProtocolException(String reason) {
        super(reason);
    }
}
