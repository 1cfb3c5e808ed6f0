package dev.vireo.control.model;

/**
 * A partial update of a domain ({@code PATCH /api/v1/domains/{domain}}): null fields stay as they are.
 * {@code type} is accepted only when it repeats the current type (it cannot change).
 */
public record DomainPatch(String type, String region, String liveCenter, String status, Boolean rtsEnabled,
                          Boolean html5Transcoding, Integer streamLimit, java.util.List<String> abrLadder) {
}
