package dev.vireo.webrtc.sdp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The simulcast a publisher's video section offers (RFC 8853 with the rid-ids of RFC 8851), as a
 * receiver takes it: the layers in the order of {@code a=simulcast:send} (the first alternative of
 * each stream), and the ids of the RTP header extensions that tell their packets apart — the
 * RtpStreamId on the media packets, the RepairedRtpStreamId on their retransmissions (RFC 8852
 * §3.1/§3.2) and the MID (RFC 9143 §15). The answer accepts the same layers with {@code a=rid:<id>
 * recv} and {@code a=simulcast:recv ...} ({@link #answerAttributes}).
 *
 * <p>Refused with an {@link SdpException} that names the reason: more than {@link #MAX_LAYERS}
 * layers, a layer without its {@code a=rid:<id> send} line (RFC 8853 §5.1), the same rid twice, no
 * rtp-stream-id extension to demultiplex by, or rid lines that do not parse.
 *
 * @param layers         the rid-ids in {@code a=simulcast} order
 * @param paused         per layer, whether the offer marks it paused ({@code ~})
 * @param ridId          extmap id of {@link #RTP_STREAM_ID}
 * @param repairedRidId  extmap id of {@link #REPAIRED_RTP_STREAM_ID}, 0 when not offered
 * @param midId          extmap id of {@link #MID}, 0 when not offered
 * @param payloadTypes   per layer, its {@code pt=} restriction (empty: any payload type)
 */
public record SimulcastOffer(List<String> layers, List<Boolean> paused, int ridId, int repairedRidId, int midId,
                             List<List<Integer>> payloadTypes) {

    /** Layers taken at most: what browsers send (Chromium: up to 3 for 720p and above). */
    public static final int MAX_LAYERS = 3;
    /** RFC 8852 §3.1. */
    public static final String RTP_STREAM_ID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    /** RFC 8852 §3.2: carried by the retransmissions (RTX) of a stream. */
    public static final String REPAIRED_RTP_STREAM_ID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    /** RFC 9143 §15 (BUNDLE): the MID of a packet's m= section. */
    public static final String MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
    private static final int MAX_RID_LINES = 16;

    public SimulcastOffer {
        layers = List.copyOf(layers);
        paused = List.copyOf(paused);
        payloadTypes = payloadTypes.stream().map(List::copyOf).toList();
    }

    /**
     * The simulcast of a publisher's video: that of the first video section the offerer sends on
     * (the one {@link IngestCodecs} takes), or null.
     *
     * @throws SdpException when the offered simulcast cannot be received
     */
    public static SimulcastOffer ofVideo(SessionDescription offer) {
        for (MediaDescription m : offer.media()) {
            if (!m.isRejected() && m.media().equals("video") && offer.direction(m).sends()) {
                return of(m);
            }
        }
        return null;
    }

    /**
     * The simulcast of a section the offerer sends on, or null when it offers none (no
     * {@code a=simulcast} with a send part: a single stream, even with one {@code a=rid}).
     *
     * @throws SdpException when the offered simulcast cannot be received (see the class comment)
     */
    public static SimulcastOffer of(MediaDescription m) {
        List<String> simulcastLines = m.attributes("simulcast");
        if (simulcastLines.isEmpty()) {
            return null;
        }
        if (simulcastLines.size() > 1) {
            throw new SdpException("more than one a=simulcast in one m= section (RFC 8853 §5.1)");
        }
        SimulcastAttribute simulcast = SimulcastAttribute.parse(simulcastLines.getFirst());
        if (simulcast.send().isEmpty()) {
            return null; // the offerer wants to receive simulcast: nothing a publisher's ingest takes
        }
        List<String> ridLines = m.attributes("rid");
        if (ridLines.size() > MAX_RID_LINES) {
            throw new SdpException("more than " + MAX_RID_LINES + " a=rid lines in one m= section");
        }
        Map<String, RidAttribute> sendRids = new java.util.LinkedHashMap<>();
        for (String line : ridLines) {
            RidAttribute rid = RidAttribute.parse(line);
            if (rid.send() && sendRids.putIfAbsent(rid.id(), rid) != null) {
                throw new SdpException("a=rid:" + rid.id() + " send appears twice (RFC 8851 §4)");
            }
        }
        if (simulcast.send().size() > MAX_LAYERS) {
            throw new SdpException("the offer sends " + simulcast.send().size() + " simulcast layers; Vireo takes at most "
                    + MAX_LAYERS);
        }
        List<String> layers = new ArrayList<>();
        List<Boolean> paused = new ArrayList<>();
        List<List<Integer>> pts = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (List<SimulcastAttribute.Id> alternatives : simulcast.send()) {
            SimulcastAttribute.Id id = alternatives.getFirst(); // the answer names only this alternative
            RidAttribute rid = sendRids.get(id.rid());
            if (rid == null) {
                throw new SdpException("a=simulcast names '" + id.rid() + "' but there is no a=rid:" + id.rid()
                        + " send line (RFC 8853 §5.1)");
            }
            if (!seen.add(id.rid())) {
                throw new SdpException("a=simulcast names '" + id.rid() + "' twice (RFC 8853 §5.1)");
            }
            layers.add(id.rid());
            paused.add(id.paused());
            pts.add(rid.payloadTypes());
        }
        int ridId = m.extmapId(RTP_STREAM_ID);
        if (ridId == 0) {
            throw new SdpException("the offer sends simulcast without the " + RTP_STREAM_ID + " header extension"
                    + " (RFC 8852), so its layers cannot be told apart");
        }
        return new SimulcastOffer(layers, paused, ridId, m.extmapId(REPAIRED_RTP_STREAM_ID), m.extmapId(MID), pts);
    }

    /**
     * RFC 8851 §4: a layer restricted to other payload types ({@code pt=}) than the one answered
     * would send a codec nobody decodes.
     *
     * @throws SdpException naming the layer
     */
    public void requirePayloadType(int payloadType) {
        for (int i = 0; i < layers.size(); i++) {
            List<Integer> allowed = payloadTypes.get(i);
            if (!allowed.isEmpty() && !allowed.contains(payloadType)) {
                throw new SdpException("simulcast layer '" + layers.get(i) + "' is restricted to payload types "
                        + allowed + ", not the answered " + payloadType);
            }
        }
    }

    /**
     * The attributes (without {@code a=}) the answer's video section carries for it: the extmaps
     * with the offer's ids, one {@code rid:<id> recv} per layer and {@code simulcast:recv} in the
     * offer's order (RFC 8853 §5.3: paused layers stay paused).
     */
    public List<String> answerAttributes() {
        List<String> out = new ArrayList<>();
        if (midId > 0) {
            out.add("extmap:" + midId + " " + MID);
        }
        out.add("extmap:" + ridId + " " + RTP_STREAM_ID);
        if (repairedRidId > 0) {
            out.add("extmap:" + repairedRidId + " " + REPAIRED_RTP_STREAM_ID);
        }
        StringBuilder sc = new StringBuilder("simulcast:recv ");
        for (int i = 0; i < layers.size(); i++) {
            out.add("rid:" + layers.get(i) + " recv");
            sc.append(i == 0 ? "" : ";").append(paused.get(i) ? "~" : "").append(layers.get(i));
        }
        out.add(sc.toString());
        return out;
    }
}
