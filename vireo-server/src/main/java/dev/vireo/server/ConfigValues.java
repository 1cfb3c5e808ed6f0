package dev.vireo.server;

import dev.vireo.webrtc.WebRtcConfig.IceTransports;
import dev.vireo.webrtc.ice.HostCandidates;
import dev.vireo.webrtc.whep.IceServer;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import dev.vireo.record.RecordRules;
import dev.vireo.cluster.registry.RegistryConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for setting values; each throws IllegalArgumentException with a short reason. */
final class ConfigValues {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib)?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]%_]+");
    static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");

    private ConfigValues() {
    }

    static int port(String text) {
        int p;
        try {
            p = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port number (0-65535)");
        }
        if (p < 0 || p > 65_535) {
            throw new IllegalArgumentException("port out of range (0-65535)");
        }
        return p;
    }

    /** "500ms", "10s", "2m", "1h" or ISO-8601 ("PT10S"); a bare number is refused as ambiguous. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(t);
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } else {
            try {
                d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration (use e.g. 500ms, 10s, 2m, 1h)");
            }
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative");
        }
        return d;
    }

    /** SRT latency: a duration ({@code 200ms}) or plain milliseconds, 0 to 60 s. */
    static int latencyMillis(String text) {
        String t = text.trim();
        long ms = t.matches("\\d+") ? Long.parseLong(t) : duration(t).toMillis();
        if (ms > 60_000) {
            throw new IllegalArgumentException("must be at most 60 s");
        }
        return (int) ms;
    }

    /** An SRT passphrase: empty for none, else 10 to 79 characters (libsrt's limits). */
    static String srtPassphrase(String text) {
        return dev.vireo.srt.SrtConfig.checkPassphrase(text);
    }

    static Duration positiveDuration(String text) {
        Duration d = duration(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("duration must be positive");
        }
        return d;
    }

    /** Bytes: "1048576", "512KiB", "1MiB" (k/kb/kib and m/mb/mib are all powers of 1024). */
    static int size(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size (use e.g. 1048576, 512KiB, 1MiB)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size too large");
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        long bytes = switch (unit) {
            case "k", "kb", "kib" -> n * 1024;
            case "m", "mb", "mib" -> n * 1024 * 1024;
            default -> n;
        };
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size too large (at most 2 GiB)");
        }
        return (int) bytes;
    }

    static String logLevel(String text) {
        String l = text.trim().toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(l)) {
            throw new IllegalArgumentException("not a log level (trace, debug, info, warn, error, off)");
        }
        return l;
    }

    /** An IP literal or host name; resolution happens when the listeners bind. */
    static String host(String text) {
        String h = text.trim();
        if (!HOST.matcher(h).matches()) {
            throw new IllegalArgumentException("not an address or host name");
        }
        return h;
    }

    /** Like {@link #host} but may be empty. */
    static String optionalHost(String text) {
        return text.isBlank() ? "" : host(text);
    }

    /** A comma-separated list of {@code host[:port]} WebRTC candidates; may be empty. */
    static String candidates(String text) {
        String list = text.trim();
        HostCandidates.parse(list);
        return list;
    }

    /** "auto" → 0 (the default cap), "0" → no cap ({@link Integer#MAX_VALUE}), else a positive count. */
    static int maxSessions(String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase("auto")) {
            return 0;
        }
        int n;
        try {
            n = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number of sessions (auto, 0 for no cap, or a count)");
        }
        if (n < 0) {
            throw new IllegalArgumentException("a number of sessions cannot be negative");
        }
        return n == 0 ? Integer.MAX_VALUE : n;
    }

    /** A positive count, at most 10,000. */
    static int joinsPerAddress(String text) {
        int n;
        try {
            n = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number of joins (a count from 1 to 10000)");
        }
        if (n < 1 || n > 10_000) {
            throw new IllegalArgumentException("joins per address must be from 1 to 10000");
        }
        return n;
    }

    /** "udp", "tcp" or both ("udp,tcp" in any order). */
    static IceTransports iceTransports(String text) {
        boolean udp = false;
        boolean tcp = false;
        for (String t : text.trim().toLowerCase(Locale.ROOT).split("[,\\s]+")) {
            switch (t) {
                case "udp" -> udp = true;
                case "tcp" -> tcp = true;
                default -> throw new IllegalArgumentException("not a WebRTC transport (udp, tcp): " + t);
            }
        }
        return udp && tcp ? IceTransports.UDP_AND_TCP : tcp ? IceTransports.TCP : IceTransports.UDP;
    }

    /** STUN/TURN servers for WHEP clients ({@link IceServer#parseList}); may be empty. */
    static String iceServers(String text) {
        String list = text.trim();
        IceServer.parseList(list);
        return list;
    }

    /** A webhook allow-list: CIDRs or host:port, comma-separated; may be empty. */
    static String webhookAllow(String text) {
        String list = text.trim();
        dev.vireo.control.model.ControlConfig.WebhookPolicy.defaults().withAllow(list);
        return list;
    }

    /** "deny" → false (fail-closed), "allow" → true (fail-open). */
    static Boolean failOpen(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "deny" -> false;
            case "allow" -> true;
            default -> throw new IllegalArgumentException("use deny or allow");
        };
    }

    static Boolean onOff(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("use on or off");
        };
    }

    /** "validity" → null (one validity period), else a duration. */
    static Duration futureSkew(String text) {
        return text.trim().equalsIgnoreCase("validity") ? null : duration(text);
    }

    /** "" → null (the default place), else a path. */
    static Path optionalPath(String text) {
        return text.isBlank() ? null : path(text);
    }

    static Path path(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("empty path");
        }
        try {
            return Path.of(text.trim());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a valid path");
        }
    }

    /** "live/*, news/main": app/stream patterns of streams to record; "" for none. */
    static String recordPatterns(String text) {
        RecordRules.parse(text, Duration.ofHours(1)); // throws with the reason when a pattern is malformed
        return text.trim();
    }

    /** A JDBC URL or "" (embedded store). The message never repeats the value: it may hold a password. */
    static String storeUrl(String text) {
        String t = text.trim();
        if (!t.isEmpty() && !t.startsWith("jdbc:")) {
            throw new IllegalArgumentException("must be a JDBC URL (jdbc:postgresql://...) or empty");
        }
        return t;
    }

    /** redis://, rediss:// (or redis-sentinel://) URL, or "" (no cluster). */
    static String redisUrl(String text) {
        String t = text.trim();
        if (!t.isEmpty() && !t.startsWith("redis://") && !t.startsWith("rediss://") && !t.startsWith("redis-sentinel://")) {
            throw new IllegalArgumentException("must be a redis:// or rediss:// URL, or empty");
        }
        return t;
    }

    /** A node id or region: "" or 1-64 characters A-Z a-z 0-9 . _ - */
    static String nodeName(String text) {
        String t = text.trim();
        if (t.length() > 64 || !t.matches("[A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("must be at most 64 characters A-Z a-z 0-9 . _ -");
        }
        return t;
    }

    static RegistryConfig.Role nodeRole(String text) {
        return RegistryConfig.Role.parse(text);
    }

    /** {@code host} or {@code host:port}, or "". */
    static String internalAddress(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return t;
        }
        int colon = t.lastIndexOf(':');
        if (colon > 0 && !t.endsWith("]") && t.indexOf(':') == colon) {
            port(t.substring(colon + 1));
            host(t.substring(0, colon));
        } else {
            host(t);
        }
        return t;
    }
}
