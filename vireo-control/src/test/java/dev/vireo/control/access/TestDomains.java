package dev.vireo.control.access;

import dev.vireo.control.model.Domain;
import dev.vireo.control.model.SigningConfig;
import java.time.Instant;

/** Domain records for unit tests, with signing off unless asked for. */
final class TestDomains {

    static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

    private TestDomains() {
    }

    static Domain ingest(String name) {
        return domain(name, Domain.Type.INGEST, null, null);
    }

    static Domain streaming(String name, String ingest) {
        return domain(name, Domain.Type.STREAMING, ingest, null);
    }

    static Domain sub(String name, String main) {
        return domain(name, Domain.Type.STREAMING, null, main);
    }

    static Domain domain(String name, Domain.Type type, String ingest, String main) {
        return new Domain(name, 1, type, "default", "default", name + ".cname.test", Domain.CnameStatus.UNCHECKED,
                Domain.Status.ONLINE, true, false, 300, ingest, main, new SigningConfig(false, "primaryKey123", null, 30),
                null, T0, T0, java.util.List.of());
    }

    static Domain signed(Domain d, SigningConfig s) {
        return new Domain(d.name(), d.accountId(), d.type(), d.region(), d.liveCenter(), d.cname(), d.cnameStatus(),
                d.status(), d.rtsEnabled(), d.html5Transcoding(), d.streamLimit(), d.ingestDomain(), d.mainDomain(), s,
                d.webhook(), d.createdAt(), d.updatedAt(), d.abrLadder());
    }

    static Domain with(Domain d, Domain.Status status, boolean rts, int streamLimit) {
        return new Domain(d.name(), d.accountId(), d.type(), d.region(), d.liveCenter(), d.cname(), d.cnameStatus(),
                status, rts, d.html5Transcoding(), streamLimit, d.ingestDomain(), d.mainDomain(), d.signing(),
                d.webhook(), d.createdAt(), d.updatedAt(), d.abrLadder());
    }
}
