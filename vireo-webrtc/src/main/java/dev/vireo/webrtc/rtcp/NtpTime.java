package dev.vireo.webrtc.rtcp;

/**
 * NTP timestamps as RTCP uses them (RFC 3550 §4): 64-bit fixed point seconds since 1900 (32.32),
 * and the "compact" middle 32 bits (16.16) carried in LSR/DLSR of report blocks (§6.4.1).
 */
public final class NtpTime {

    /** Seconds from 1900-01-01 to 1970-01-01. */
    public static final long EPOCH_OFFSET_SECONDS = 2_208_988_800L;

    private NtpTime() {
    }

    /** The 64-bit NTP timestamp of a Unix time in milliseconds. */
    public static long fromUnixMillis(long unixMillis) {
        long seconds = Math.floorDiv(unixMillis, 1000) + EPOCH_OFFSET_SECONDS;
        long millis = Math.floorMod(unixMillis, 1000);
        return seconds << 32 | (millis << 32) / 1000;
    }

    /** The Unix time in milliseconds of a 64-bit NTP timestamp. */
    public static long toUnixMillis(long ntp) {
        long seconds = (ntp >>> 32) - EPOCH_OFFSET_SECONDS;
        long fraction = ntp & 0xFFFF_FFFFL;
        return seconds * 1000 + (fraction * 1000 >>> 32);
    }

    /** The middle 32 bits of an NTP timestamp (RFC 3550 §6.4.1 LSR). */
    public static long compact(long ntp) {
        return ntp >>> 16 & 0xFFFF_FFFFL;
    }

    /** A duration in 1/65536 s units (the DLSR unit) from nanoseconds. */
    public static long toCompactDuration(long nanos) {
        return nanos / 1_000_000_000L << 16 | (nanos % 1_000_000_000L << 16) / 1_000_000_000L;
    }

    /**
     * The round-trip time of RFC 3550 §6.4.1: arrival (compact NTP) − LSR − DLSR, in nanoseconds,
     * or -1 when the report carries no LSR or the result is negative.
     */
    public static long roundTripNanos(long arrivalCompact, long lastSr, long delaySinceLastSr) {
        if (lastSr == 0) {
            return -1;
        }
        long rtt = arrivalCompact - lastSr - delaySinceLastSr & 0xFFFF_FFFFL;
        if (rtt > 0x7FFF_FFFFL) {
            return -1;
        }
        return rtt * 1_000_000_000L >>> 16;
    }
}
