package dev.vireo.webrtc.sdp;

/**
 * An {@code a=ssrc} line, RFC 5576 §4.1: {@code <ssrc> <attribute>[:<value>]}, e.g. {@code cname}.
 *
 * @param ssrc      the SSRC (unsigned 32-bit)
 * @param attribute the source attribute name
 * @param value     its value, or null
 */
public record SsrcAttribute(long ssrc, String attribute, String value) {

    static SsrcAttribute parse(String v) {
        int space = v.indexOf(' ');
        String ssrcText = space < 0 ? v : v.substring(0, space);
        long ssrc;
        try {
            ssrc = Long.parseLong(ssrcText);
        } catch (NumberFormatException e) {
            throw new SdpException("a=ssrc value '" + ssrcText + "' is not a number");
        }
        if (ssrc < 0 || ssrc > 0xFFFF_FFFFL) {
            throw new SdpException("a=ssrc " + ssrc + " is not a 32-bit value");
        }
        if (space < 0) {
            return new SsrcAttribute(ssrc, "", null);
        }
        String rest = v.substring(space + 1);
        int colon = rest.indexOf(':');
        return colon < 0 ? new SsrcAttribute(ssrc, rest, null)
                : new SsrcAttribute(ssrc, rest.substring(0, colon), rest.substring(colon + 1));
    }
}
