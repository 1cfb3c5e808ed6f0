package dev.vireo.webrtc.sdp;

import dev.vireo.webrtc.dtls.CertificateFingerprint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A parsed session description, RFC 8866 §5: session-level lines, then media descriptions.
 * Accepts CRLF and LF line endings. Bounded: at most {@link #MAX_SIZE} characters,
 * {@link #MAX_LINE_LENGTH} per line, {@link #MAX_MEDIA} m= sections and
 * {@link #MAX_ATTRIBUTES} attributes per section.
 */
public final class SessionDescription {

    public static final int MAX_SIZE = 128 * 1024;
    public static final int MAX_LINE_LENGTH = 4096;
    public static final int MAX_MEDIA = 64;
    public static final int MAX_ATTRIBUTES = 1024;

    private final String originUsername;
    private final String sessionId;
    private final long sessionVersion;
    private final String sessionName;
    private final String connection;
    private final List<SdpAttribute> attributes;
    private final List<MediaDescription> media;

    private SessionDescription(String originUsername, String sessionId, long sessionVersion, String sessionName,
                               String connection, List<SdpAttribute> attributes, List<MediaDescription> media) {
        this.originUsername = originUsername;
        this.sessionId = sessionId;
        this.sessionVersion = sessionVersion;
        this.sessionName = sessionName;
        this.connection = connection;
        this.attributes = List.copyOf(attributes);
        this.media = List.copyOf(media);
    }

    /**
     * Parses an SDP document.
     *
     * @throws SdpException when it is too large, lacks v=0/o=/s=, or has a malformed line
     */
    public static SessionDescription parse(String sdp) {
        if (sdp.length() > MAX_SIZE) {
            throw new SdpException("SDP of " + sdp.length() + " characters exceeds " + MAX_SIZE);
        }
        String[] lines = sdp.split("\r?\n", -1);
        String originUser = null;
        String sessionId = null;
        long sessionVersion = 0;
        String sessionName = null;
        String sessionConnection = null;
        List<SdpAttribute> sessionAttributes = new ArrayList<>();
        List<MediaDescription> media = new ArrayList<>();

        // the m= section being read
        String[] mLine = null;
        String mConnection = null;
        List<SdpAttribute> mAttributes = null;
        boolean sawVersion = false;

        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (line.isEmpty()) {
                continue; // trailing line break, or tolerated blank line
            }
            if (line.length() > MAX_LINE_LENGTH) {
                throw new SdpException("SDP line " + (n + 1) + " exceeds " + MAX_LINE_LENGTH + " characters");
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                throw new SdpException("SDP line " + (n + 1) + " is not <type>=<value>: " + abbreviate(line));
            }
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7F) {
                    throw new SdpException("SDP line " + (n + 1) + " contains a control character");
                }
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (!sawVersion) {
                if (type != 'v' || !value.equals("0")) {
                    throw new SdpException("SDP does not start with v=0"); // RFC 8866 §5.1
                }
                sawVersion = true;
                continue;
            }
            switch (type) {
                case 'o' -> {
                    // RFC 8866 §5.2: username sess-id sess-version nettype addrtype unicast-address
                    String[] f = value.split(" +");
                    if (f.length != 6 || mLine != null) {
                        throw new SdpException("malformed o= line: " + abbreviate(value));
                    }
                    originUser = f[0];
                    sessionId = f[1];
                    try {
                        sessionVersion = Long.parseUnsignedLong(f[2]);
                    } catch (NumberFormatException e) {
                        throw new SdpException("o= session version '" + f[2] + "' is not a number");
                    }
                }
                case 's' -> {
                    if (mLine == null) {
                        sessionName = value;
                    }
                }
                case 'c' -> {
                    if (mLine == null) {
                        sessionConnection = value;
                    } else {
                        mConnection = value;
                    }
                }
                case 'm' -> {
                    if (mLine != null) {
                        media.add(media(mLine, mConnection, mAttributes));
                    }
                    if (media.size() >= MAX_MEDIA) {
                        throw new SdpException("more than " + MAX_MEDIA + " m= sections");
                    }
                    mLine = value.split(" +");
                    if (mLine.length < 3) {
                        throw new SdpException("malformed m= line: " + abbreviate(value));
                    }
                    mConnection = null;
                    mAttributes = new ArrayList<>();
                }
                case 'a' -> {
                    List<SdpAttribute> target = mLine == null ? sessionAttributes : mAttributes;
                    if (target.size() >= MAX_ATTRIBUTES) {
                        throw new SdpException("more than " + MAX_ATTRIBUTES + " attributes in one section");
                    }
                    target.add(SdpAttribute.parse(value));
                }
                default -> {
                    // t=, b=, i=, u=, e=, p=, r=, z=, k= carry nothing WebRTC needs
                }
            }
        }
        if (!sawVersion) {
            throw new SdpException("empty SDP");
        }
        if (mLine != null) {
            media.add(media(mLine, mConnection, mAttributes));
        }
        if (originUser == null) {
            throw new SdpException("SDP without o= line");
        }
        if (sessionName == null) {
            throw new SdpException("SDP without s= line");
        }
        return new SessionDescription(originUser, sessionId, sessionVersion, sessionName, sessionConnection,
                sessionAttributes, media);
    }

    private static MediaDescription media(String[] m, String connection, List<SdpAttribute> attributes) {
        String portText = m[1];
        int slash = portText.indexOf('/');
        if (slash >= 0) {
            portText = portText.substring(0, slash); // <port>/<number of ports>
        }
        int port = parseInt(portText, 0, 65535, "m= port");
        List<String> formats = Arrays.asList(m).subList(3, m.length);
        return new MediaDescription(m[0], port, m[2], formats, connection, attributes);
    }

    static int parseInt(String s, int min, int max, String what) {
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new SdpException(what + " '" + abbreviate(s) + "' is not a number");
        }
        if (v < min || v > max) {
            throw new SdpException(what + " " + v + " is outside " + min + ".." + max);
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    public String originUsername() {
        return originUsername;
    }

    /** The o= sess-id (digits, kept as text: browsers use 64-bit values). */
    public String sessionId() {
        return sessionId;
    }

    public long sessionVersion() {
        return sessionVersion;
    }

    public String sessionName() {
        return sessionName;
    }

    /** The session-level c= value, or null. */
    public String connection() {
        return connection;
    }

    public List<SdpAttribute> attributes() {
        return attributes;
    }

    public List<MediaDescription> media() {
        return media;
    }

    /** The value of the first session-level attribute with this name ("" for a property attribute). */
    public Optional<String> attribute(String name) {
        for (SdpAttribute a : attributes) {
            if (a.name().equals(name)) {
                return Optional.of(a.value() == null ? "" : a.value());
            }
        }
        return Optional.empty();
    }

    /** The mids of the first {@code a=group:BUNDLE} (RFC 9143 §7.1), the first being the tagged one; empty without. */
    public List<String> bundle() {
        for (SdpAttribute a : attributes) {
            if (a.name().equals("group") && a.value() != null) {
                String[] f = a.value().trim().split(" +");
                if (f[0].equals("BUNDLE")) {
                    return List.of(Arrays.copyOfRange(f, 1, f.length));
                }
            }
        }
        return List.of();
    }

    /** {@code a=ice-lite} at session level (RFC 8839 §5.3). */
    public boolean iceLite() {
        return attribute("ice-lite").isPresent();
    }

    /** The ice-ufrag of a section, else the session-level one (RFC 8839 §5.4). */
    public Optional<String> iceUfrag(MediaDescription m) {
        return m.attribute("ice-ufrag").or(() -> attribute("ice-ufrag")).map(String::trim);
    }

    /** The ice-pwd of a section, else the session-level one. */
    public Optional<String> icePwd(MediaDescription m) {
        return m.attribute("ice-pwd").or(() -> attribute("ice-pwd")).map(String::trim);
    }

    /** The fingerprint of a section, else the session-level one (RFC 8122 §5). */
    public Optional<CertificateFingerprint> fingerprint(MediaDescription m) {
        return m.attribute("fingerprint").or(() -> attribute("fingerprint")).map(v -> {
            try {
                return CertificateFingerprint.parse(v);
            } catch (IllegalArgumentException e) {
                throw new SdpException("a=fingerprint: " + e.getMessage());
            }
        });
    }

    /** The a=setup of a section, else the session-level one. */
    public Optional<SetupRole> setup(MediaDescription m) {
        return m.attribute("setup").or(() -> attribute("setup")).map(v -> SetupRole.of(v.trim()));
    }

    /** The direction of a section, else of the session, else sendrecv (RFC 8866 §6.7). */
    public Direction direction(MediaDescription m) {
        return m.direction().orElseGet(() -> {
            for (SdpAttribute a : attributes) {
                if (a.value() == null) {
                    Optional<Direction> d = Direction.of(a.name());
                    if (d.isPresent()) {
                        return d.get();
                    }
                }
            }
            return Direction.SENDRECV;
        });
    }

    /** The section with this mid. */
    public Optional<MediaDescription> mediaWithMid(String mid) {
        return media.stream().filter(m -> m.mid().filter(mid::equals).isPresent()).findFirst();
    }
}
