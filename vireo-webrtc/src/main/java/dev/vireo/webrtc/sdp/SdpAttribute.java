package dev.vireo.webrtc.sdp;

import java.util.Objects;

/**
 * An {@code a=} line, RFC 8866 §5.13: a property attribute ({@code a=rtcp-mux}, value null) or a
 * value attribute ({@code a=mid:0}).
 */
public record SdpAttribute(String name, String value) {

    public SdpAttribute {
        Objects.requireNonNull(name, "name");
    }

    static SdpAttribute parse(String text) {
        int colon = text.indexOf(':');
        if (colon == 0) {
            throw new SdpException("attribute without a name: a=" + text);
        }
        return colon < 0 ? new SdpAttribute(text, null) : new SdpAttribute(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return value == null ? "a=" + name : "a=" + name + ":" + value;
    }
}
