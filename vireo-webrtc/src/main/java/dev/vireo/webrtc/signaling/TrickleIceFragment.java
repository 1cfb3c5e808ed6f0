package dev.vireo.webrtc.signaling;

import java.util.ArrayList;
import java.util.List;

/**
 * A trickle ICE SDP fragment as a WHEP client PATCHes it (RFC 8840 §9, RFC 9725 §4.3):
 * {@code a=ice-ufrag}/{@code a=ice-pwd} (new ones mean an ICE restart), {@code a=candidate} lines,
 * {@code m=}/{@code a=mid} lines naming the media section, {@code a=end-of-candidates}. Only what
 * this server needs is kept.
 *
 * @param ufrag the client's ufrag, or null when absent
 * @param pwd the client's password, or null when absent (a secret: never log it)
 * @param candidates the candidate attribute values
 */
public record TrickleIceFragment(String ufrag, String pwd, List<String> candidates) {

    public static final String MEDIA_TYPE = "application/trickle-ice-sdpfrag";
    private static final int MAX_LINES = 256;

    /**
     * @throws IllegalArgumentException when the body is not an SDP fragment
     */
    public static TrickleIceFragment parse(String body) {
        String ufrag = null;
        String pwd = null;
        List<String> candidates = new ArrayList<>();
        String[] lines = body.split("\r?\n");
        if (lines.length > MAX_LINES) {
            throw new IllegalArgumentException("SDP fragment has more than " + MAX_LINES + " lines");
        }
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                throw new IllegalArgumentException("not an SDP line: '" + abbreviate(line) + "'");
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (type == 'a') {
                if (value.startsWith("ice-ufrag:")) {
                    ufrag = value.substring("ice-ufrag:".length()).trim();
                } else if (value.startsWith("ice-pwd:")) {
                    pwd = value.substring("ice-pwd:".length()).trim();
                } else if (value.startsWith("candidate:")) {
                    candidates.add(value.substring("candidate:".length()).trim());
                }
            } else if (type != 'm' && type != 'c') {
                throw new IllegalArgumentException("unexpected '" + type + "=' line in an SDP fragment");
            }
        }
        if ((ufrag == null) != (pwd == null)) {
            throw new IllegalArgumentException("a=ice-ufrag and a=ice-pwd must come together");
        }
        return new TrickleIceFragment(ufrag, pwd, candidates);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    @Override
    public String toString() {
        return "TrickleIceFragment[ufrag=" + ufrag + ", candidates=" + candidates.size() + "]";
    }
}
