package dev.vireo.control.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AES-256-GCM sealing of store secrets, on values, and the key file. */
class SecretCodecTest {

    @TempDir
    Path dir;

    private static byte[] key(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return k;
    }

    @Test
    void aSealedValueOpensOnlyWithItsKeyAndInItsPlace() {
        SecretCodec codec = new SecretCodec(key(1));
        String sealed = codec.seal("domains", "signing_primary_key", "push.example.com", "primaryKey123");
        assertThat(sealed).startsWith("v1:").doesNotContain("primaryKey123");
        // 12-byte nonce + 13 bytes + 16-byte tag, Base64
        assertThat(Base64.getDecoder().decode(sealed.substring(3))).hasSize(12 + 13 + 16);
        assertThat(codec.open("domains", "signing_primary_key", "push.example.com", sealed)).isEqualTo("primaryKey123");
        assertThat(codec.seal("domains", "signing_primary_key", "push.example.com", "primaryKey123"))
                .as("a fresh nonce per value").isNotEqualTo(sealed);
        assertThat(codec.seal("t", "c", "r", null)).isNull();
        assertThat(codec.open("t", "c", "r", null)).isNull();

        assertThatThrownBy(() -> codec.open("domains", "signing_primary_key", "other.example.com", sealed))
                .as("another row").isInstanceOf(SecretCodec.SecretException.class)
                .hasMessageContaining("domains.signing_primary_key of other.example.com").hasMessageNotContaining("primaryKey123");
        assertThatThrownBy(() -> codec.open("domains", "signing_secondary_key", "push.example.com", sealed))
                .as("another column").isInstanceOf(SecretCodec.SecretException.class);
        SecretCodec other = new SecretCodec(key(2));
        assertThatThrownBy(() -> other.open("domains", "signing_primary_key", "push.example.com", sealed))
                .as("another key").isInstanceOf(SecretCodec.SecretException.class)
                .hasMessageContaining("store key " + other.keyId());
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        raw[20] ^= 1;
        String altered = "v1:" + Base64.getEncoder().encodeToString(raw);
        assertThatThrownBy(() -> codec.open("domains", "signing_primary_key", "push.example.com", altered))
                .as("altered").isInstanceOf(SecretCodec.SecretException.class);
        assertThatThrownBy(() -> codec.open("domains", "signing_primary_key", "push.example.com", "clearKey"))
                .as("a clear value").isInstanceOf(SecretCodec.SecretException.class).hasMessageContaining("not encrypted");
        assertThatThrownBy(() -> codec.open("t", "c", "r", "v1:@@@")).isInstanceOf(SecretCodec.SecretException.class);
        assertThatThrownBy(() -> codec.open("t", "c", "r", "v1:AAAA")).isInstanceOf(SecretCodec.SecretException.class);
    }

    @Test
    void keyIdsTellKeysApartAndRevealNothing() {
        assertThat(new SecretCodec(key(1)).keyId()).isEqualTo(new SecretCodec(key(1)).keyId()).hasSize(16)
                .isNotEqualTo(new SecretCodec(key(2)).keyId());
        assertThat(new SecretCodec(key(1)).toString()).doesNotContain("0101");
        assertThatThrownBy(() -> new SecretCodec(new byte[16])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theKeyFileIsCreatedPrivateOnceAndReadRawOrBase64() throws Exception {
        Path f = dir.resolve("keys/store.key");
        SecretCodec first = StoreKey.loadOrCreate(f);
        assertThat(Files.size(f)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.getParent()))).isEqualTo("rwx------");
        assertThat(StoreKey.loadOrCreate(f).keyId()).as("read again, not replaced").isEqualTo(first.keyId());

        Path b64 = dir.resolve("b64.key");
        Files.writeString(b64, Base64.getEncoder().encodeToString(key(7)) + "\n");
        assertThat(StoreKey.loadOrCreate(b64).keyId()).isEqualTo(new SecretCodec(key(7)).keyId());

        Path bad = dir.resolve("bad.key");
        Files.write(bad, "too short".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> StoreKey.loadOrCreate(bad)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("does not hold a key");
    }
}
