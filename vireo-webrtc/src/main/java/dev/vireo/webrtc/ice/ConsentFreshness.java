package dev.vireo.webrtc.ice;

/**
 * Consent freshness for an ICE-lite agent (RFC 7675): a full agent re-checks consent at least every
 * 5 s (§5.1) with Binding requests, so a peer from which no valid check arrived for the consent
 * timeout (30 s, §5.1) has gone away or withdrawn consent, and sending to it must stop. Also bounds
 * how long a session may wait for its first check. Not thread-safe: used on the session's loop.
 */
public final class ConsentFreshness {

    private final long timeoutNanos;
    private long lastCheckNanos;
    private boolean checked;

    /**
     * @param timeoutNanos how long without a valid Binding request before consent expires
     * @param nowNanos {@link System#nanoTime()} at creation: the first check is due within the timeout
     */
    public ConsentFreshness(long timeoutNanos, long nowNanos) {
        this.timeoutNanos = timeoutNanos;
        this.lastCheckNanos = nowNanos;
    }

    /** A Binding request that passed the integrity check arrived. */
    public void onValidCheck(long nowNanos) {
        lastCheckNanos = nowNanos;
        checked = true;
    }

    /** Whether consent has expired (or was never given within the timeout). */
    public boolean expired(long nowNanos) {
        return nowNanos - lastCheckNanos > timeoutNanos;
    }

    /**
     * Why consent is gone, for the session's close reason, or null while it holds.
     *
     * @param timeoutSeconds the timeout as configured, for the message
     */
    public String lostReason(long nowNanos, long timeoutSeconds) {
        if (!expired(nowNanos)) {
            return null;
        }
        return checked
                ? "consent expired: no ICE check from the browser for " + timeoutSeconds + " s (RFC 7675)"
                : "no ICE connectivity check within " + timeoutSeconds + " s of the answer";
    }

    /** Whether any valid check has arrived yet. */
    public boolean everChecked() {
        return checked;
    }

    /** Nanoseconds since the last valid check (or since creation). */
    public long sinceLastCheck(long nowNanos) {
        return nowNanos - lastCheckNanos;
    }
}
