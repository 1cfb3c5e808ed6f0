package dev.vireo.media.ts;

/**
 * Turns 33-bit PTS/DTS values into a continuous 64-bit time line: each value is placed in the
 * 2^33 period that puts it closest to the previous one, so the wrap (every 26.5 hours) and small
 * jumps back across it (audio slightly behind video) both come out right. One instance serves
 * every PID of a program, so all its tracks unwrap alike.
 */
final class TimestampUnwrapper {

    private static final long HALF = TsPacket.TIMESTAMP_MODULUS / 2;
    private long last = Long.MIN_VALUE;

    long unwrap(long ts33) {
        if (last == Long.MIN_VALUE) {
            last = ts33;
            return ts33;
        }
        long t = last - Math.floorMod(last, TsPacket.TIMESTAMP_MODULUS) + ts33;
        if (t - last > HALF) {
            t -= TsPacket.TIMESTAMP_MODULUS;
        } else if (last - t > HALF) {
            t += TsPacket.TIMESTAMP_MODULUS;
        }
        last = t;
        return t;
    }
}
