package dev.vireo.webrtc.sdp;

import java.util.Objects;

/**
 * An {@code a=extmap} attribute, RFC 8285 §8: {@code <id>[/<direction>] <uri> [<attributes>]}.
 *
 * @param id        1..14 for the one-byte form, up to 255 with the two-byte form
 * @param direction the optional direction, or null
 * @param uri       the extension's URI
 */
public record Extmap(int id, Direction direction, String uri) {

    public Extmap {
        Objects.requireNonNull(uri, "uri");
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("extmap id " + id);
        }
    }

    static Extmap parse(String value) {
        String[] parts = value.trim().split(" +");
        if (parts.length < 2) {
            throw new SdpException("a=extmap needs an id and a URI: " + value);
        }
        String idPart = parts[0];
        Direction dir = null;
        int slash = idPart.indexOf('/');
        if (slash >= 0) {
            dir = Direction.of(idPart.substring(slash + 1))
                    .orElseThrow(() -> new SdpException("a=extmap direction " + parts[0]));
            idPart = idPart.substring(0, slash);
        }
        int id = SessionDescription.parseInt(idPart, 1, 255, "a=extmap id");
        return new Extmap(id, dir, parts[1]);
    }

    public String sdpValue() {
        return id + (direction == null ? "" : "/" + direction.sdp()) + " " + uri;
    }
}
