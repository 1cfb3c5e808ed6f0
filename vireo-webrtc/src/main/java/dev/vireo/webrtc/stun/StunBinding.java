package dev.vireo.webrtc.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * ICE connectivity checks as seen by an ICE-lite agent (RFC 8445 §7.3): validating a Binding
 * request, and building the success or error response. Also builds the request a full agent
 * sends (§7.2.2), which tests and clients use.
 */
public final class StunBinding {

    private StunBinding() {
    }

    /**
     * Validates a Binding request received by the agent whose credentials are
     * {@code localUfrag}/{@code localPassword}. The USERNAME must be "{localUfrag}:{remote ufrag}"
     * (RFC 8445 §7.2.2) and the integrity must verify with the local password.
     */
    public static IceCheck check(StunMessage request, String localUfrag, String localPassword) {
        if (!request.isBindingRequest()) {
            return IceCheck.DISCARD;
        }
        if (request.hasFingerprint() && !request.verifyFingerprint()) {
            return IceCheck.DISCARD; // RFC 8445 §7.3 / RFC 8489 §7.3: silently discarded
        }
        if (request.unknownComprehensionRequired().length > 0) {
            return IceCheck.UNKNOWN_ATTRIBUTE;
        }
        String username = request.username().orElse(null);
        if (username == null || !request.hasIntegrity()) {
            return IceCheck.BAD_REQUEST; // RFC 8489 §9.1.3
        }
        int colon = username.indexOf(':');
        if (colon < 0 || !username.substring(0, colon).equals(localUfrag)) {
            return IceCheck.UNAUTHORIZED;
        }
        if (!request.verifyIntegrity(localPassword.getBytes(StandardCharsets.UTF_8))) {
            return IceCheck.UNAUTHORIZED;
        }
        if (request.attribute(StunAttribute.IceControlled.class).isPresent()) {
            return IceCheck.ROLE_CONFLICT; // RFC 8445 §7.3.1.1: both sides controlled
        }
        return IceCheck.ACCEPT;
    }

    /** The remote ufrag of a request's USERNAME "{local}:{remote}", or null when it has none. */
    public static String remoteUfrag(StunMessage request) {
        String username = request.username().orElse(null);
        if (username == null) {
            return null;
        }
        int colon = username.indexOf(':');
        return colon < 0 ? null : username.substring(colon + 1);
    }

    /** Whether the request nominates the pair (USE-CANDIDATE, RFC 8445 §7.3.1.5). */
    public static boolean nominates(StunMessage request) {
        return request.attribute(StunAttribute.UseCandidate.class).isPresent();
    }

    /**
     * The Binding success response to {@code request} (RFC 8445 §7.3.1.4, RFC 8489 §6.3.1.1): the
     * same transaction id, XOR-MAPPED-ADDRESS = the source transport address of the request,
     * MESSAGE-INTEGRITY with the local password (the key the request was checked with) and
     * FINGERPRINT (RFC 8445 §7.3: ICE always uses it).
     */
    public static ByteBuf successResponse(ByteBufAllocator alloc, StunMessage request, InetSocketAddress source,
                                          String localPassword) {
        return new StunMessageBuilder(request.method(), StunClass.SUCCESS_RESPONSE, request.transactionId())
                .add(new StunAttribute.XorMappedAddress(source))
                .integrity(localPassword.getBytes(StandardCharsets.UTF_8))
                .fingerprint()
                .build(alloc);
    }

    /**
     * The error response for a failed check. Integrity is added only when {@code localPassword}
     * is not null (RFC 8489 §9.1.3: no integrity on 400/401 responses); a 420 lists the unknown
     * attributes (§14.9).
     */
    public static ByteBuf errorResponse(ByteBufAllocator alloc, StunMessage request, IceCheck outcome,
                                        String localPassword) {
        if (outcome.errorCode() == 0) {
            throw new IllegalArgumentException(outcome + " is not answered with an error response");
        }
        StunMessageBuilder b = new StunMessageBuilder(request.method(), StunClass.ERROR_RESPONSE, request.transactionId())
                .add(new StunAttribute.ErrorCode(outcome.errorCode(), outcome.reason()));
        if (outcome == IceCheck.UNKNOWN_ATTRIBUTE) {
            b.add(new StunAttribute.UnknownAttributes(request.unknownComprehensionRequired()));
        }
        if (localPassword != null) {
            b.integrity(localPassword.getBytes(StandardCharsets.UTF_8));
        }
        return b.fingerprint().build(alloc);
    }

    /**
     * A connectivity check as a full controlling agent sends it (RFC 8445 §7.2.2): USERNAME
     * "{remote ufrag}:{local ufrag}", PRIORITY, ICE-CONTROLLING, optionally USE-CANDIDATE,
     * MESSAGE-INTEGRITY keyed with the remote password, FINGERPRINT.
     */
    public static ByteBuf request(ByteBufAllocator alloc, byte[] transactionId, String remoteUfrag, String localUfrag,
                                  String remotePassword, long priority, long tieBreaker, boolean useCandidate) {
        StunMessageBuilder b = new StunMessageBuilder(StunMessage.BINDING, StunClass.REQUEST, transactionId)
                .add(new StunAttribute.Username(remoteUfrag + ":" + localUfrag))
                .add(new StunAttribute.Priority(priority))
                .add(new StunAttribute.IceControlling(tieBreaker));
        if (useCandidate) {
            b.add(new StunAttribute.UseCandidate());
        }
        return b.integrity(remotePassword.getBytes(StandardCharsets.UTF_8)).fingerprint().build(alloc);
    }
}
