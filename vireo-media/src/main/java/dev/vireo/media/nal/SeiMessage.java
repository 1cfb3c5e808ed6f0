package dev.vireo.media.nal;

import java.util.Arrays;
import java.util.UUID;

/**
 * One SEI message (H.264 §7.3.2.3.1, H.265 §7.3.5): payload type and payload bytes (RBSP, no
 * emulation prevention).
 */
public record SeiMessage(int payloadType, byte[] payload) {

    /** user_data_unregistered (H.264 §D.1.7 / H.265 §D.2.7). */
    public static final int USER_DATA_UNREGISTERED = 5;

    /** For a user_data_unregistered message: its uuid_iso_iec_11578, else null. */
    public UUID uuid() {
        if (payloadType != USER_DATA_UNREGISTERED || payload.length < 16) {
            return null;
        }
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (payload[i] & 0xFF);
            lsb = (lsb << 8) | (payload[8 + i] & 0xFF);
        }
        return new UUID(msb, lsb);
    }

    /** For a user_data_unregistered message: the bytes after the UUID, else null. */
    public byte[] userData() {
        return uuid() == null ? null : Arrays.copyOfRange(payload, 16, payload.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeiMessage m && m.payloadType == payloadType && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * payloadType + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "SeiMessage[type=" + payloadType + ", " + payload.length + " bytes]";
    }
}
