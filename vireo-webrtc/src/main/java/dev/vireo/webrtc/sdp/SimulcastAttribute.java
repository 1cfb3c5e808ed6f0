package dev.vireo.webrtc.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@code a=simulcast} attribute, RFC 8853 §5.1: the RTP streams (rid-ids, {@link RidAttribute})
 * an endpoint sends and/or receives as simulcast, e.g. {@code a=simulcast:send q;h;f}: {@code ;}
 * separates streams, {@code ,} alternatives of one stream, {@code ~} marks a paused one.
 *
 * @param send the streams sent, each a list of alternatives (empty when there is no send part)
 * @param recv the streams received (empty when there is no recv part)
 */
public record SimulcastAttribute(List<List<Id>> send, List<List<Id>> recv) {

    /** Streams and alternatives one attribute may name before it is refused as garbage. */
    private static final int MAX_IDS = 32;

    /** One sc-id: a rid-id, possibly paused ({@code ~}). */
    public record Id(String rid, boolean paused) {
    }

    public SimulcastAttribute {
        send = send.stream().map(List::copyOf).toList();
        recv = recv.stream().map(List::copyOf).toList();
    }

    /**
     * Parses the value of an {@code a=simulcast} line (what follows {@code a=simulcast:}):
     * {@code sc-value = (sc-send [SP sc-recv]) / (sc-recv [SP sc-send])}.
     *
     * @throws SdpException naming what is wrong
     */
    public static SimulcastAttribute parse(String value) {
        String[] parts = value.trim().split(" +");
        if (parts.length != 2 && parts.length != 4) {
            throw new SdpException("a=simulcast must be 'send <streams>' and/or 'recv <streams>' (RFC 8853 §5.1): "
                    + clip(value));
        }
        List<List<Id>> send = null;
        List<List<Id>> recv = null;
        for (int i = 0; i < parts.length; i += 2) {
            List<List<Id>> list = streams(parts[i + 1]);
            switch (parts[i]) {
                case "send" -> {
                    if (send != null) {
                        throw new SdpException("a=simulcast has two send parts");
                    }
                    send = list;
                }
                case "recv" -> {
                    if (recv != null) {
                        throw new SdpException("a=simulcast has two recv parts");
                    }
                    recv = list;
                }
                default -> throw new SdpException("a=simulcast direction '" + clip(parts[i])
                        + "' is neither send nor recv (RFC 8853 §5.1)");
            }
        }
        return new SimulcastAttribute(send == null ? List.of() : send, recv == null ? List.of() : recv);
    }

    /** {@code sc-str-list = sc-alt-list *(";" sc-alt-list)}, {@code sc-alt-list = sc-id *("," sc-id)}. */
    private static List<List<Id>> streams(String list) {
        List<List<Id>> out = new ArrayList<>();
        int count = 0;
        for (String alternatives : list.split(";", -1)) {
            List<Id> ids = new ArrayList<>();
            for (String scId : alternatives.split(",", -1)) {
                if (++count > MAX_IDS) {
                    throw new SdpException("a=simulcast names more than " + MAX_IDS + " streams");
                }
                boolean paused = scId.startsWith("~");
                String rid = paused ? scId.substring(1) : scId;
                if (!RidAttribute.validId(rid)) {
                    throw new SdpException("a=simulcast stream '" + clip(scId) + "' is not a rid-id (RFC 8853 §5.1,"
                            + " RFC 8851 §10)");
                }
                ids.add(new Id(rid, paused));
            }
            out.add(ids);
        }
        return out;
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
