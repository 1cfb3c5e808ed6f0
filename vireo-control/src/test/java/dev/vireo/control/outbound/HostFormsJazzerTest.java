package dev.vireo.control.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Coverage-guided fuzzing of how a tenant's outbound URL host is read before the SSRF check (issue
 * 17): {@link Ipv4Forms} and {@link OutboundPolicy#hostAddress}, then {@link OutboundPolicy#refusal}
 * with the admin's allow-list ({@link OutboundPolicy#validate}). Checked against an independent
 * reading of {@code inet_aton} (glibc's: 1 to 4 parts, each decimal, octal after a {@code 0}, hex
 * after {@code 0x}, the last filling the remaining bytes): an ASCII host {@link Ipv4Forms} reads
 * is the address {@code inet_aton} reads, and one {@code inet_aton} reads is read the same unless
 * it passes the documented limits (64 characters, 11 digits a part; such a host then goes to the
 * resolver, whose answers are checked too). Nothing throws but the allow-list's
 * {@link IllegalArgumentException}; a host read as an address is refused with an empty allow-list
 * exactly when its kind is forbidden, and every loopback spelling is refused.
 *
 * <p>Input: UTF-8, the host up to the first newline, the allow-list after it. Seeds in
 * {@code HostFormsJazzerTestInputs/} (the spellings of issue 17's SSRF report: {@code 2130706433},
 * {@code 0x7f000001}, {@code 0177.1}, {@code 169.254.169.254}, {@code [::1]}, {@code localhost}, a
 * NAT64 and a 6to4 address, and allow-lists as the admin writes them); {@code JAZZER_FUZZ=1}
 * fuzzes (docs/RELIABILITY.md).
 */
class HostFormsJazzerTest {

    private static final long MAX = 0xFFFF_FFFFL;

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void host(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String host = nl < 0 ? text : text.substring(0, nl);
        String allowList = nl < 0 ? "" : text.substring(nl + 1);

        InetAddress v4 = Ipv4Forms.parse(host);
        Long aton = host.chars().allMatch(c -> c < 0x80) ? inetAton(host) : null;
        if (v4 != null) {
            assertThat(v4).isInstanceOf(Inet4Address.class);
            if (host.chars().allMatch(c -> c < 0x80)) {
                assertThat(aton).as("inet_aton reads %s too", host).isNotNull();
                assertThat(value(v4)).as("the address inet_aton reads in %s", host).isEqualTo(aton);
            }
        } else if (aton != null) {
            assertThat(host.length() > 64 || List.of(host.split("\\.")).stream().anyMatch(p -> digits(p) > 11))
                    .as("%s (inet_aton: %s) is left to the resolver only past the limits", host, aton).isTrue();
        }

        InetAddress a = OutboundPolicy.hostAddress(host);
        if (v4 != null) {
            assertThat(a).isEqualTo(v4);
        }
        String lower = host.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("localhost") || lower.endsWith(".localhost")) {
            assertThat(a).as("localhost names are loopback").isNotNull();
        }
        if (a == null) {
            return;
        }
        OutboundPolicy strict = new OutboundPolicy(List.of(), Set::of);
        Optional<String> refusal = strict.refusal(host, 443, a);
        String kind = OutboundPolicy.forbiddenKind(a);
        assertThat(refusal.isPresent()).as("%s (%s) refused exactly when forbidden", host, a).isEqualTo(kind != null);
        InetAddress judged = OutboundPolicy.embeddedIpv4(a) != null ? OutboundPolicy.embeddedIpv4(a) : a;
        if (judged.isLoopbackAddress() || judged.isAnyLocalAddress() || judged.isLinkLocalAddress()) {
            assertThat(refusal).as("%s reaches %s", host, a).isPresent();
        }

        List<String> entries;
        try {
            OutboundPolicy.validate(allowList);
            entries = OutboundPolicy.split(allowList);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        OutboundPolicy admin = new OutboundPolicy(entries, () -> Set.of(a));
        Optional<String> r = admin.refusal(host, 443, a);
        if (r.isPresent()) {
            assertThat(r.get()).contains(a.getHostAddress());
        }
    }

    /** glibc's inet_aton (resolv/inet_addr.c) on ASCII, without its tolerance of trailing blanks. */
    static Long inetAton(String s) {
        if (s.isEmpty() || s.endsWith(".")) {
            return null;
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long[] v = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            boolean hex = p.startsWith("0x") || p.startsWith("0X");
            int radix = hex ? 16 : p.startsWith("0") ? 8 : 10;
            String digits = hex ? p.substring(2) : radix == 8 ? p.substring(1) : p;
            if (p.isEmpty() || !digits.chars().allMatch(c -> c < 0x80 && Character.digit(c, radix) >= 0)) {
                return null;
            }
            BigInteger n = digits.isEmpty() ? BigInteger.ZERO : new BigInteger(digits, radix);
            if (n.bitLength() > 32) {
                return null;
            }
            v[i] = n.longValueExact();
        }
        int last = parts.length - 1;
        long value = 0;
        for (int i = 0; i < last; i++) {
            if (v[i] > 255) {
                return null;
            }
            value |= v[i] << (24 - 8 * i);
        }
        if (v[last] > MAX >>> (8 * last)) {
            return null;
        }
        return value | v[last];
    }

    private static int digits(String part) {
        String p = part.startsWith("0x") || part.startsWith("0X") ? part.substring(2)
                : part.startsWith("0") && part.length() > 1 ? part.substring(1) : part;
        return p.length();
    }

    private static long value(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xFFL) << 24 | (b[1] & 0xFFL) << 16 | (b[2] & 0xFFL) << 8 | b[3] & 0xFFL;
    }
}
