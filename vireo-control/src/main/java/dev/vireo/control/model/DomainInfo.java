package dev.vireo.control.model;

/**
 * What other modules may need to know about a configured domain (e.g. the transcoder: whether
 * HTML5 auto transcoding is on for a streaming domain).
 *
 * @param type "ingest" or "streaming"
 * @param ingestDomain the ingest domain its playback reaches (itself for an ingest domain), or null
 */
public record DomainInfo(String name, String type, String ingestDomain, boolean online, boolean rtsEnabled,
                         boolean html5Transcoding) {
}
