package dev.vireo.control.outbound;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Where the server may send HTTP requests a tenant configured (webhooks, the on-publish
 * authorization hook): not to loopback, link-local (169.254/16 — cloud metadata — and fe80::/10),
 * private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), multicast, unspecified, reserved or
 * broadcast addresses, nor to any of this machine's own addresses — unless the admin's allow-list
 * ({@code webhooks.allow}) names the address (a CIDR) or the host and port. IPv4 carried in IPv6
 * (mapped, compatible, NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) is judged as that IPv4
 * address. Every address a host resolves to is checked, at request time, and the request goes to
 * the checked address (no second lookup a DNS rebinding could answer differently).
 */
public final class OutboundPolicy {

    /** An allow-list entry: a CIDR (any port), or a host name / IP and one port. */
    private sealed interface Allowed permits Cidr, HostPort {
    }

    private record Cidr(byte[] network, int bits) implements Allowed {
        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private record HostPort(String host, InetAddress address, int port) implements Allowed {
    }

    private final List<Allowed> allowed;
    private final Supplier<Set<InetAddress>> ownAddresses;

    OutboundPolicy(List<String> allowList, Supplier<Set<InetAddress>> ownAddresses) {
        this.allowed = parseAll(allowList);
        this.ownAddresses = ownAddresses;
    }

    /** The entries as the policy and {@link #validate} both read them (one reading: they cannot disagree). */
    private static List<Allowed> parseAll(List<String> entries) {
        List<Allowed> list = new ArrayList<>();
        for (String entry : entries) {
            if (!entry.isBlank()) {
                list.add(parseEntry(entry.trim()));
            }
        }
        return List.copyOf(list);
    }

    /** With this machine's interface addresses as its own. */
    public static OutboundPolicy of(String allowList) {
        return new OutboundPolicy(split(allowList), OutboundPolicy::interfaceAddresses);
    }

    static List<String> split(String allowList) {
        List<String> out = new ArrayList<>();
        if (allowList != null) {
            for (String s : allowList.split("[,\\s]+")) {
                if (!s.isBlank()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /**
     * Checks an allow-list entry: {@code 10.0.0.0/8}, {@code fd00::/8}, {@code 127.0.0.1:9000},
     * {@code [::1]:9000}, {@code hooks.internal:8080}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void validate(String allowList) {
        // as the policy reads them: validating the untrimmed entry let "\u0003:1" through, whose
        // trimmed ":1" then failed the server's start (found by HostFormsJazzerTest)
        parseAll(split(allowList));
    }

    private static Allowed parseEntry(String entry) {
        int slash = entry.indexOf('/');
        if (slash > 0) {
            InetAddress net = literal(entry.substring(0, slash));
            int bits;
            try {
                bits = Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (net == null || bits < 0 || bits > net.getAddress().length * 8) {
                throw new IllegalArgumentException("not a CIDR: " + entry);
            }
            return new Cidr(net.getAddress(), bits);
        }
        int colon = entry.lastIndexOf(':');
        if (colon <= 0 || colon == entry.length() - 1) {
            throw new IllegalArgumentException("not a CIDR or host:port: " + entry);
        }
        String host = entry.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(entry.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("not a port in " + entry);
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.isEmpty() || bare.indexOf(':') >= 0 && literal(bare) == null) {
            throw new IllegalArgumentException("not a host in " + entry);
        }
        return new HostPort(bare.toLowerCase(Locale.ROOT), literal(bare), port);
    }

    /**
     * The address a URL host stands for without DNS: IPv4 in any {@code inet_aton} spelling (read
     * as inet_aton does: {@code 0177.0.0.1} is 127.0.0.1), an IPv6 literal, or loopback for
     * {@code localhost} and {@code *.localhost} (RFC 6761 §6.3); null for a name to resolve.
     */
    public static InetAddress hostAddress(String bare) {
        InetAddress a = Ipv4Forms.parse(bare);
        if (a == null && bare.indexOf(':') >= 0) {
            a = literal(bare);
        }
        String h = bare.toLowerCase(Locale.ROOT);
        if (a == null && (h.equals("localhost") || h.endsWith(".localhost") || h.equals("localhost."))) {
            a = InetAddress.getLoopbackAddress();
        }
        return a;
    }

    /** An IP literal (dotted quad or IPv6, without brackets), or null; never a DNS lookup. */
    static InetAddress literal(String s) {
        if (s == null || s.isEmpty() || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Why a request to {@code address} (which {@code host}:{@code port} of the URL resolved to) is
     * refused, or empty when it may go.
     */
    public Optional<String> refusal(String host, int port, InetAddress address) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        for (Allowed a : allowed) {
            switch (a) {
                case Cidr c -> {
                    if (c.contains(address) || embeddedIpv4(address) instanceof InetAddress v4 && c.contains(v4)) {
                        return Optional.empty();
                    }
                }
                case HostPort hp -> {
                    if (hp.port() == port && (hp.host().equalsIgnoreCase(h) || address.equals(hp.address()))) {
                        return Optional.empty();
                    }
                }
            }
        }
        String kind = forbiddenKind(address);
        if (kind == null && ownAddresses.get().contains(address)) {
            kind = "an address of this server";
        }
        return kind == null ? Optional.empty()
                : Optional.of(address.getHostAddress() + " is " + kind + " (allow it with webhooks.allow)");
    }

    /** What kind of address may not be reached, or null for a public one. */
    static String forbiddenKind(InetAddress address) {
        InetAddress a = address;
        InetAddress v4 = embeddedIpv4(a);
        if (v4 != null) {
            a = v4;
        }
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (a.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (a.isLinkLocalAddress()) {
            return "a link-local address";
        }
        if (a.isMulticastAddress()) {
            return "a multicast address";
        }
        if (a.isSiteLocalAddress()) {
            return "a private address";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            if (b0 == 0) {
                return "unspecified";  // 0/8: "this network"
            }
            if (b0 == 100 && (b1 & 0xc0) == 64) {
                return "a private address";  // 100.64/10 (shared, carrier-grade NAT)
            }
            if (b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0 || b0 == 198 && (b1 & 0xfe) == 18) {
                return "a reserved address";  // 192.0.0/24, 198.18/15
            }
            if (b0 >= 240) {
                return "a reserved address";  // 240/4 and the broadcast address
            }
        } else if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return "a private address";  // fc00::/7 unique local
            }
            if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
                return "a private address";  // fec0::/10 site-local (deprecated)
            }
        }
        return null;
    }

    /** The IPv4 address inside an IPv4-compatible, NAT64 or 6to4 IPv6 address, or null. */
    static InetAddress embeddedIpv4(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return null;
        }
        byte[] b = a.getAddress();
        byte[] v4;
        if (zero(b, 0, 12)) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};  // ::a.b.c.d (and :: / ::1, judged as 0/8 / 0.0.0.1)
            if (zero(b, 12, 15)) {
                return null;  // :: and ::1 are judged as IPv6 (unspecified, loopback)
            }
        } else if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && zero(b, 4, 12)) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};  // 64:ff9b::/96
        } else if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            v4 = new byte[] {b[2], b[3], b[4], b[5]};  // 2002::/16
        } else {
            return null;
        }
        try {
            return InetAddress.getByAddress(v4);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Every address of this machine's interfaces (up or not). */
    static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> out = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    out.add(a instanceof Inet6Address v6 && v6.getScopeId() != 0
                            ? InetAddress.getByAddress(v6.getAddress()) : a);
                }
            }
        } catch (SocketException | java.net.UnknownHostException e) {
            // none known: only the address kinds are checked
        }
        return out;
    }
}
