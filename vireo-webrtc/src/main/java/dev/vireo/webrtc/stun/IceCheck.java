package dev.vireo.webrtc.stun;

/**
 * The outcome of validating an incoming ICE connectivity check (a Binding request) at an ICE-lite
 * agent, RFC 8445 §7.3 with RFC 8489 §9.1.3. Each outcome says how to answer.
 */
public enum IceCheck {
    /** Valid: answer with a Binding success response ({@link StunBinding#successResponse}). */
    ACCEPT(0, null),
    /** Bad FINGERPRINT, not a request, or otherwise not to be answered: drop silently (RFC 8489 §7.3). */
    DISCARD(0, null),
    /** USERNAME or MESSAGE-INTEGRITY missing (RFC 8489 §9.1.3): error 400. */
    BAD_REQUEST(StunAttribute.ErrorCode.BAD_REQUEST, "Bad Request"),
    /** Unknown local ufrag or bad MESSAGE-INTEGRITY (RFC 8489 §9.1.3): error 401. */
    UNAUTHORIZED(StunAttribute.ErrorCode.UNAUTHORIZED, "Unauthorized"),
    /** A comprehension-required attribute we do not understand (RFC 8489 §6.3.1.1): error 420. */
    UNKNOWN_ATTRIBUTE(StunAttribute.ErrorCode.UNKNOWN_ATTRIBUTE, "Unknown Attribute"),
    /**
     * The peer says it is controlled too (RFC 8445 §7.3.1.1). A lite agent is always controlled
     * (§6.1.1), so it answers 487 and the full agent switches to controlling.
     */
    ROLE_CONFLICT(StunAttribute.ErrorCode.ROLE_CONFLICT, "Role Conflict");

    private final int errorCode;
    private final String reason;

    IceCheck(int errorCode, String reason) {
        this.errorCode = errorCode;
        this.reason = reason;
    }

    /** The STUN error code to answer with, or 0 when the answer is not an error response. */
    public int errorCode() {
        return errorCode;
    }

    /** The reason phrase for {@link #errorCode()}, or null. */
    public String reason() {
        return reason;
    }
}
