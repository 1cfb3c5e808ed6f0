package dev.vireo.webrtc.ice;

import dev.vireo.webrtc.sdp.SdpCandidate;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The candidates the server advertises in every answer. Either the operator's list (public
 * addresses or names, optionally with the externally forwarded port: {@code 203.0.113.7},
 * {@code media.example.com:40000}, {@code [2001:db8::7]:8000}), or, without one, the addresses of
 * this host: every up, non-loopback, non-link-local address of the bound family, plus 127.0.0.1
 * last so a browser on the same machine always connects.
 */
public final class HostCandidates {

    /** One configured entry: a host (IP literal or name) and a port, 0 for the media port. */
    public record Advertised(String host, int port) {
    }

    private HostCandidates() {
    }

    /**
     * Parses the comma-separated list of {@code host[:port]} entries ({@code [v6]:port} for IPv6).
     *
     * @throws IllegalArgumentException naming the entry that is not valid
     */
    public static List<Advertised> parse(String list) {
        List<Advertised> out = new ArrayList<>();
        if (list == null || list.isBlank()) {
            return out;
        }
        for (String raw : list.split(",")) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            String host = e;
            int port = 0;
            if (e.startsWith("[")) {
                int close = e.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("candidate '" + e + "': missing ']'");
                }
                host = e.substring(1, close);
                String rest = e.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        throw new IllegalArgumentException("candidate '" + e + "': expected ':port' after ']'");
                    }
                    port = port(e, rest.substring(1));
                }
            } else {
                int colon = e.indexOf(':');
                if (colon >= 0 && e.indexOf(':', colon + 1) < 0) {
                    host = e.substring(0, colon);
                    port = port(e, e.substring(colon + 1));
                }
            }
            if (host.isEmpty() || !host.matches("[A-Za-z0-9.:\\-_%]+")) {
                throw new IllegalArgumentException("candidate '" + e + "': not an address or host name");
            }
            out.add(new Advertised(host.toLowerCase(Locale.ROOT), port));
        }
        return out;
    }

    private static int port(String entry, String text) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65_535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("candidate '" + entry + "': port must be 1-65535");
    }

    /**
     * The candidates to advertise. Resolves configured host names (blocking: call once at start);
     * a name that does not resolve is advertised as is, for the browser to resolve.
     *
     * @param configured the operator's list; empty to detect this host's addresses
     * @param bind the address the media socket is bound to
     * @param port the media socket's port
     */
    public static List<SdpCandidate> resolve(List<Advertised> configured, String bind, int port) {
        Set<String> seen = new LinkedHashSet<>();
        List<String[]> entries = new ArrayList<>();
        if (!configured.isEmpty()) {
            for (Advertised a : configured) {
                int p = a.port() == 0 ? port : a.port();
                for (String address : addressesOf(a.host())) {
                    if (seen.add(address + " " + p)) {
                        entries.add(new String[] {address, String.valueOf(p)});
                    }
                }
            }
        } else {
            for (InetAddress a : localAddresses(bind)) {
                String address = a.getHostAddress();
                int scope = address.indexOf('%');
                if (scope >= 0) {
                    address = address.substring(0, scope);
                }
                if (seen.add(address)) {
                    entries.add(new String[] {address, String.valueOf(port)});
                }
            }
        }
        List<SdpCandidate> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String[] e = entries.get(i);
            // Earlier entries are preferred (RFC 8445 §5.1.2.1 local preference); one foundation
            // per address (§5.1.1.3). ICE-lite agents have host candidates only (§2.5).
            out.add(SdpCandidate.udpHost(String.valueOf(i + 1), e[0], Integer.parseInt(e[1]), Math.max(0, 65_535 - i)));
        }
        return out;
    }

    private static List<String> addressesOf(String host) {
        if (isIpLiteral(host)) {
            return List.of(host);
        }
        try {
            List<String> out = new ArrayList<>();
            for (InetAddress a : InetAddress.getAllByName(host)) {
                out.add(a.getHostAddress());
            }
            return out;
        } catch (UnknownHostException e) {
            return List.of(host);
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
    }

    /** This host's addresses for a socket bound to {@code bind}, most useful first, loopback last. */
    static List<InetAddress> localAddresses(String bind) {
        InetAddress bound;
        try {
            bound = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve bind address " + bind, e);
        }
        if (!bound.isAnyLocalAddress()) {
            return List.of(bound);
        }
        boolean v6 = bound instanceof Inet6Address;
        List<InetAddress> v4s = new ArrayList<>();
        List<InetAddress> v6s = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()) {
                        continue;
                    }
                    if (a instanceof Inet4Address) {
                        v4s.add(a);
                    } else if (v6) {
                        v6s.add(a);
                    }
                }
            }
        } catch (SocketException e) {
            // No interface list: loopback only.
        }
        List<InetAddress> out = new ArrayList<>(v4s);
        out.addAll(v6s);
        out.add(InetAddress.getLoopbackAddress() instanceof Inet4Address l ? l : loopback4());
        return out;
    }

    private static InetAddress loopback4() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
