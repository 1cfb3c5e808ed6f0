package dev.vireo.control.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The IPv4 address forms {@code inet_aton} (and so many resolvers and HTTP clients) accept besides
 * the dotted quad: {@code a} (32 bits), {@code a.b} (8 + 24), {@code a.b.c} (8 + 8 + 16), each part
 * decimal, octal with a leading {@code 0}, or hex with {@code 0x} — {@code 2130706433},
 * {@code 0x7f000001}, {@code 0177.1} and {@code 127.1} are all 127.0.0.1. An outbound URL's host is
 * read this way before it is checked, so such a spelling cannot slip a forbidden address past the
 * check.
 */
final class Ipv4Forms {

    private Ipv4Forms() {
    }

    /** The address {@code host} spells in any of those forms, or null when it is not one. */
    static InetAddress parse(String host) {
        if (host == null || host.isEmpty() || host.length() > 64 || host.endsWith(".")) {
            return null;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long[] v = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = part(parts[i]);
            if (v[i] < 0) {
                return null;
            }
        }
        long value = 0;
        int n = parts.length;
        for (int i = 0; i < n - 1; i++) {
            if (v[i] > 255) {
                return null;
            }
            value |= v[i] << (24 - 8 * i);
        }
        long lastMax = (1L << (32 - 8 * (n - 1))) - 1;
        if (v[n - 1] > lastMax) {
            return null;
        }
        value |= v[n - 1];
        byte[] b = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** One part's value, or -1 when it is not a number in one of the three bases (or too large). */
    private static long part(String p) {
        if (p.isEmpty()) {
            return -1;
        }
        int radix = 10;
        String digits = p;
        if (p.length() > 1 && (p.startsWith("0x") || p.startsWith("0X"))) {
            radix = 16;
            digits = p.substring(2);
            if (digits.isEmpty()) {
                return 0;  // inet_aton reads "0x" as 0
            }
        } else if (p.length() > 1 && p.charAt(0) == '0') {
            radix = 8;
            digits = p.substring(1);
        }
        if (digits.length() > 11) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), radix);
            if (d < 0) {
                return -1;
            }
            value = value * radix + d;
        }
        return value > 0xffffffffL ? -1 : value;
    }
}
