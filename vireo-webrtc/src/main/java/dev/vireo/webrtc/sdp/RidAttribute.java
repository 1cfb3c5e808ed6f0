package dev.vireo.webrtc.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An {@code a=rid} attribute, RFC 8851: one RTP stream (a simulcast layer) of a media section,
 * {@code a=rid:<rid-id> send|recv [pt=<fmt>,...;][<restriction>[=<value>];...]}.
 *
 * @param id           the RtpStreamId (RFC 8852) the sender puts in its packets' header extension
 * @param send         {@code send} (the offerer sends this stream) or {@code recv}
 * @param payloadTypes the {@code pt=} list (empty: every payload type of the section)
 * @param restrictions the other parameters in order ({@code max-width=1280}, ...; "" for a flag)
 */
public record RidAttribute(String id, boolean send, List<Integer> payloadTypes, Map<String, String> restrictions) {

    /**
     * RFC 8851 §10: {@code rid-id = 1*(alpha-numeric / "-" / "_")}. At most 16 characters here, so
     * that the id fits one element of a one-byte RTP header extension (RFC 8285 §4.2) as senders
     * put it in every stream's first packets (RFC 8852 §3).
     */
    public static final int MAX_ID_LENGTH = 16;
    private static final Pattern RID_ID = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_ID_LENGTH + "}");
    /** RFC 8851 §10: {@code rid-param = 1*(alpha-numeric / "-") ["=" param-val]}. */
    private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final int MAX_PARAMS = 16;
    private static final int MAX_PAYLOAD_TYPES = 32;

    public RidAttribute {
        payloadTypes = List.copyOf(payloadTypes);
        restrictions = Map.copyOf(restrictions);
    }

    /** Whether {@code id} is a valid rid-id (RFC 8851 §10, at most {@value #MAX_ID_LENGTH} characters). */
    public static boolean validId(String id) {
        return id != null && RID_ID.matcher(id).matches();
    }

    /**
     * Parses the value of an {@code a=rid} line (what follows {@code a=rid:}).
     *
     * @throws SdpException naming what is wrong
     */
    public static RidAttribute parse(String value) {
        String v = value.trim();
        String[] parts = v.split(" +", 3);
        if (parts.length < 2) {
            throw new SdpException("a=rid needs an id and a direction (RFC 8851 §10): " + clip(v));
        }
        if (!validId(parts[0])) {
            throw new SdpException("a=rid id '" + clip(parts[0]) + "' is not 1.." + MAX_ID_LENGTH
                    + " letters, digits, '-' or '_' (RFC 8851 §10)");
        }
        boolean send = switch (parts[1]) {
            case "send" -> true;
            case "recv" -> false;
            default -> throw new SdpException("a=rid:" + parts[0] + " direction '" + clip(parts[1])
                    + "' is neither send nor recv (RFC 8851 §10)");
        };
        List<Integer> pts = new ArrayList<>();
        Map<String, String> params = new LinkedHashMap<>();
        if (parts.length == 3) {
            String[] items = parts[2].trim().split(";", -1);
            if (items.length > MAX_PARAMS) {
                throw new SdpException("a=rid:" + parts[0] + " has more than " + MAX_PARAMS + " parameters");
            }
            for (int i = 0; i < items.length; i++) {
                String item = items[i].trim();
                if (item.isEmpty()) {
                    throw new SdpException("a=rid:" + parts[0] + " has an empty parameter (RFC 8851 §10)");
                }
                if (i == 0 && item.startsWith("pt=")) {
                    String[] fmts = item.substring(3).split(",", -1);
                    if (fmts.length > MAX_PAYLOAD_TYPES) {
                        throw new SdpException("a=rid:" + parts[0] + " lists more than " + MAX_PAYLOAD_TYPES
                                + " payload types");
                    }
                    for (String f : fmts) {
                        pts.add(SessionDescription.parseInt(f.trim(), 0, 127, "a=rid pt"));
                    }
                    continue;
                }
                int eq = item.indexOf('=');
                String name = eq < 0 ? item : item.substring(0, eq);
                if (!PARAM_NAME.matcher(name).matches()) {
                    throw new SdpException("a=rid:" + parts[0] + " parameter '" + clip(name)
                            + "' is not a rid-param name (RFC 8851 §10)");
                }
                params.put(name, eq < 0 ? "" : item.substring(eq + 1));
            }
        }
        return new RidAttribute(parts[0], send, pts, params);
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
