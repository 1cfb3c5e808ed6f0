package dev.vireo.control.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.control.model.SigningConfig;
import org.junit.jupiter.api.Test;

/**
 * Type A signing against vectors computed by hand from the formula
 * ({@code printf '%s' "/live/demo-1700000000-0-0-primaryKey123" | md5sum}).
 */
class UrlSigningTest {

    private static final long TS = 1_700_000_000L;
    private static final String PRIMARY_HASH = "bd4b066bce891db825b0ef144688e07e";
    private static final String SECONDARY_HASH = "6649890db650090cc6df0799c507f39e";
    private static final String FLV_HASH = "428bc86ea3ffbca5268e6f84088752f8";
    private static final SigningConfig SIGNING = new SigningConfig(true, "primaryKey123", "secondaryKey456", 30);

    private static String refusal(String uri, String query, long now) {
        return UrlSigning.refusal(SIGNING, uri, query, now).orElse(null);
    }

    @Test
    void authKeyMatchesTheHandComputedVector() {
        assertThat(UrlSigning.authKey("/live/demo", TS, "0", "0", "primaryKey123"))
                .isEqualTo(TS + "-0-0-" + PRIMARY_HASH);
        assertThat(UrlSigning.authKey("/live/demo", TS, "477b3bbc253f467b8def6711128c7bec", "0", "primaryKey123"))
                .isEqualTo(TS + "-477b3bbc253f467b8def6711128c7bec-0-d97b72b18f2736ca9346023a9f64a151");
    }

    @Test
    void primaryAndSecondaryKeysAreBothAccepted() {
        assertThat(refusal("/live/demo", "auth_key=" + TS + "-0-0-" + PRIMARY_HASH, TS)).isNull();
        assertThat(refusal("/live/demo", "auth_key=" + TS + "-0-0-" + SECONDARY_HASH, TS)).isNull();
        assertThat(refusal("/live/demo", "vhost=a.example.com&auth_key=" + TS + "-0-0-" + PRIMARY_HASH.toUpperCase(), TS))
                .as("hex digits in upper case").isNull();
    }

    @Test
    void theExtensionIsPartOfTheSignedUri() {
        assertThat(refusal("/live/demo.flv", "auth_key=" + TS + "-0-0-" + FLV_HASH, TS)).isNull();
        assertThat(refusal("/live/demo.flv", "auth_key=" + TS + "-0-0-" + PRIMARY_HASH, TS))
                .isEqualTo("denied by req auth: invalid md5hash=" + PRIMARY_HASH);
    }

    @Test
    void aWrongHashOrKeyIsRefusedWithTheGivenHash() {
        String wrong = "0123456789abcdef0123456789abcdef";
        assertThat(refusal("/live/demo", "auth_key=" + TS + "-0-0-" + wrong, TS))
                .isEqualTo("denied by req auth: invalid md5hash=" + wrong);
        assertThat(refusal("/live/other", "auth_key=" + TS + "-0-0-" + PRIMARY_HASH, TS))
                .as("the hash of another stream").isEqualTo("denied by req auth: invalid md5hash=" + PRIMARY_HASH);
        assertThat(refusal("/live/demo", "auth_key=" + (TS + 1) + "-0-0-" + PRIMARY_HASH, TS))
                .as("a timestamp moved forward to extend the validity")
                .isEqualTo("denied by req auth: invalid md5hash=" + PRIMARY_HASH);
        SigningConfig onlyPrimary = new SigningConfig(true, "otherPrimary1", null, 30);
        assertThat(UrlSigning.refusal(onlyPrimary, "/live/demo", "auth_key=" + TS + "-0-0-" + SECONDARY_HASH, TS))
                .hasValue("denied by req auth: invalid md5hash=" + SECONDARY_HASH);
    }

    @Test
    void expiryIsTimestampPlusValidityInclusive() {
        String q = "auth_key=" + TS + "-0-0-" + PRIMARY_HASH;
        long expires = TS + 30 * 60;
        assertThat(refusal("/live/demo", q, expires)).as("at the expiry second").isNull();
        assertThat(refusal("/live/demo", q, expires + 1)).isEqualTo("denied by req auth: expired timestamp=" + TS);
        assertThat(refusal("/live/demo", "auth_key=" + TS + "-0-0-0123456789abcdef0123456789abcdef", expires + 1))
                .as("expiry is reported before the hash").isEqualTo("denied by req auth: expired timestamp=" + TS);
        assertThat(refusal("/live/demo", q, TS - 30 * 60)).as("ahead of the clock by one validity period").isNull();
        assertThat(refusal("/live/demo", q, TS - 30 * 60 - 1)).as("further ahead")
                .isEqualTo("denied by req auth: future timestamp=" + TS);
    }

    @Test
    void aTimestampInYear9999IsRefused() {
        long year9999 = 253_402_300_799L;
        String key = UrlSigning.authKey("/live/demo", year9999, "0", "0", "primaryKey123");
        assertThat(refusal("/live/demo", "auth_key=" + key, TS)).isEqualTo("denied by req auth: future timestamp=" + year9999);
    }

    @Test
    void missingOrMalformedAuthKeysAreRefused() {
        assertThat(refusal("/live/demo", "", TS)).isEqualTo("denied by req auth: missing auth_key");
        assertThat(refusal("/live/demo", "vhost=x.example.com", TS)).isEqualTo("denied by req auth: missing auth_key");
        assertThat(refusal("/live/demo", "auth_key=", TS)).isEqualTo("denied by req auth: missing auth_key");
        for (String bad : new String[] {"abc", TS + "-0-" + PRIMARY_HASH, "x" + TS + "-0-0-" + PRIMARY_HASH,
                TS + "-0-0-" + PRIMARY_HASH.substring(1), TS + "-0-0-" + PRIMARY_HASH.replace('b', 'z'),
                TS + "--0-" + PRIMARY_HASH, "-0-0-" + PRIMARY_HASH, TS + "-0-0-", "99999999999999-0-0-" + PRIMARY_HASH,
                TS + "-0-" + "0".repeat(600) + "-" + PRIMARY_HASH, "%zz"}) {
            assertThat(refusal("/live/demo", "auth_key=" + bad, TS)).as(bad)
                    .isIn("denied by req auth: malformed auth_key", "denied by req auth: missing auth_key");
        }
        assertThat(refusal("/live/demo", "auth_key=abc", TS)).isEqualTo("denied by req auth: malformed auth_key");
    }

    @Test
    void aUidWithHyphensIsPartOfTheSignedText() {
        String key = UrlSigning.authKey("/live/demo", TS, "0", "user-7", "primaryKey123");
        assertThat(AuthKey.parse(key).uid()).isEqualTo("user-7");
        assertThat(refusal("/live/demo", "auth_key=" + key, TS)).isNull();
    }

    @Test
    void signingOffLetsEverythingThrough() {
        SigningConfig off = new SigningConfig(false, "primaryKey123", null, 1);
        assertThat(UrlSigning.refusal(off, "/live/demo", "", TS)).isEmpty();
    }
}
