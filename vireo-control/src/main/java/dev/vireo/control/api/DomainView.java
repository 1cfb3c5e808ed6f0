package dev.vireo.control.api;

import dev.vireo.control.model.CertificateBundle;
import dev.vireo.control.model.ControlState;
import dev.vireo.control.model.Domain;
import java.util.List;

/**
 * A domain as the API shows it (no keys or secrets: those have their own resources).
 *
 * @param subDomains streaming domains: the sub-streaming domains bound to it
 * @param streamingDomains ingest domains: the streaming domains associated with it
 * @param certificateNotAfter end of the uploaded certificate's validity, or null without one
 */
record DomainView(String domain, String type, String region, String liveCenter, String cname, String cnameStatus,
                  String status, boolean rtsEnabled, boolean html5Transcoding, int streamLimit, String ingestDomain,
                  String mainDomain, List<String> subDomains, List<String> streamingDomains, boolean signingEnabled,
                  int signingValidityMinutes, String notifyUrl, String certificateNotAfter, String createdAt,
                  String updatedAt, List<String> abrLadder) {

    static DomainView of(Domain d, ControlState s) {
        List<String> subs = s.domains().values().stream().filter(x -> d.name().equals(x.mainDomain()))
                .map(Domain::name).sorted().toList();
        List<String> streaming = s.domains().values().stream().filter(x -> d.name().equals(x.ingestDomain()))
                .map(Domain::name).sorted().toList();
        CertificateBundle cert = s.certificates().get(d.name());
        return new DomainView(d.name(), d.type().wire(), d.region(), d.liveCenter(), d.cname(), d.cnameStatus().wire(),
                d.status().wire(), d.rtsEnabled(), d.html5Transcoding(), d.streamLimit(), d.ingestDomain(),
                d.mainDomain(), subs, streaming, d.signing().enabled(), d.signing().validityMinutes(),
                d.webhook() == null ? null : d.webhook().url(), cert == null ? null : cert.notAfter().toString(),
                d.createdAt().toString(), d.updatedAt().toString(), d.abrLadder());
    }
}
