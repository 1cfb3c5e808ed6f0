package dev.vireo.cluster.relay;

import dev.vireo.media.Codec;

/**
 * The codec byte of a relay MEDIA frame: a fixed table, independent of {@link Codec}'s enum
 * order, so that nodes of different builds agree on it.
 *
 * <pre>
 *   1 H264   2 H265   3 AV1   4 AAC   5 OPUS   6 MP3   7 AMF_DATA
 * </pre>
 */
final class WireCodec {

    private WireCodec() {
    }

    static int id(Codec codec) {
        return switch (codec) {
            case H264 -> 1;
            case H265 -> 2;
            case AV1 -> 3;
            case AAC -> 4;
            case OPUS -> 5;
            case MP3 -> 6;
            case AMF_DATA -> 7;
        };
    }

    static Codec codec(int id) {
        return switch (id) {
            case 1 -> Codec.H264;
            case 2 -> Codec.H265;
            case 3 -> Codec.AV1;
            case 4 -> Codec.AAC;
            case 5 -> Codec.OPUS;
            case 6 -> Codec.MP3;
            case 7 -> Codec.AMF_DATA;
            default -> throw new RelayProtocolException("unknown codec id " + id + " in a media frame");
        };
    }
}
