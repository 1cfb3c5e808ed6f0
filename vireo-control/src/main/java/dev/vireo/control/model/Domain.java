package dev.vireo.control.model;

import java.util.List;

import java.time.Instant;
import java.util.Locale;

/**
 * A configured domain (virtual host) as stored.
 *
 * @param name the domain, normal form ({@link DomainName})
 * @param accountId the owner
 * @param type ingest (publishers push to it) or streaming (viewers play from it)
 * @param region acceleration region, e.g. "cn-shanghai"
 * @param liveCenter the region that processes the stream
 * @param cname the CNAME target assigned on creation: {@code {name}.{cname zone}}
 * @param cnameStatus result of the last CNAME check
 * @param status online, or offline (every request refused)
 * @param rtsEnabled streaming domains: WebRTC (RTS/WHEP) playback allowed
 * @param html5Transcoding streaming domains: automatic browser transcoding (AAC→Opus, no B-frames)
 * @param streamLimit ingest domains: concurrent live streams allowed
 * @param ingestDomain streaming domains: the associated ingest domain, or null
 * @param mainDomain sub-streaming domains: the main streaming domain, or null
 * @param signing URL signing (Type A)
 * @param webhook the notify (webhook) target, or null
 * @param abrLadder streaming domains: the transcoding templates WebRTC viewers step down through
 *     when their bandwidth is short, highest first (e.g. lhd, lsd, lld); empty: no switching
 */
public record Domain(String name, long accountId, Type type, String region, String liveCenter, String cname,
              CnameStatus cnameStatus, Status status, boolean rtsEnabled, boolean html5Transcoding,
              int streamLimit, String ingestDomain, String mainDomain, SigningConfig signing,
              NotifyConfig webhook, Instant createdAt, Instant updatedAt, List<String> abrLadder) {

    public Domain {
        abrLadder = abrLadder == null ? List.of() : List.copyOf(abrLadder);
    }

    public enum Type {
        INGEST, STREAMING;

        public static Type parse(String s) {
            if (s == null) {
                throw ApiException.badRequest("MissingParameter", "type is required (ingest or streaming)");
            }
            return switch (s) {
                case "ingest" -> INGEST;
                case "streaming" -> STREAMING;
                default -> throw ApiException.badRequest("InvalidParameter", "type must be ingest or streaming");
            };
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Status {
        ONLINE, OFFLINE;

        public static Status parse(String s) {
            return switch (s) {
                case "online" -> ONLINE;
                case "offline" -> OFFLINE;
                default -> throw ApiException.badRequest("InvalidParameter", "status must be online or offline");
            };
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the last CNAME check found; stored so the console can show it without a lookup. */
    public enum CnameStatus {
        UNCHECKED, CONFIGURED, MISSING;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean isIngest() {
        return type == Type.INGEST;
    }

    public boolean isStreaming() {
        return type == Type.STREAMING;
    }

    public boolean isOnline() {
        return status == Status.ONLINE;
    }
}
