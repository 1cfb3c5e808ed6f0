package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.store.Database;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vireo rotate-store-key}: the store's key replaced by a new file; the old one no longer opens it. */
class StoreKeyCommandTest {

    @TempDir
    Path dir;

    @Test
    void rotatesTheEmbeddedStoresKeyToANewFile() throws Exception {
        Path data = dir.resolve("data");
        try (Database db = Database.open(ControlConfig.defaults(data))) {
            assertThat(db.secrets().keyId()).hasSize(16);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StoreKeyCommand.run(new String[] {"new.key", "--data-dir", data.toString()}, Map.of(), dir,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("re-encrypted 0 secrets").contains("new.key");
        assertThat(Files.size(dir.resolve("new.key"))).isEqualTo(32);
        assertThatThrownBy(() -> Database.open(ControlConfig.defaults(data))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("every node of a cluster must use the same key file");
        try (Database db = Database.open(ControlConfig.defaults(data).withStoreKeyFile(dir.resolve("new.key")))) {
            assertThat(db.secrets().keyId()).hasSize(16);
        }
        assertThat(StoreKeyCommand.run(new String[] {}, Map.of(), dir, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
    }
}
