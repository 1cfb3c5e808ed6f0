package dev.vireo.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recordings tree cannot be left through the names an API request carries. */
class RecordingFilesTest {

    @TempDir
    Path dir;

    @Test
    void onlyRecordingsUnderTheRootAreFoundAndNoNameClimbsOut() throws Exception {
        Path root = dir.resolve("recordings");
        Path stream = Files.createDirectories(root.resolve("a.example.com/live/demo"));
        Files.write(stream.resolve("20260101-000000-000.mp4"), new byte[7]);
        Path secret = Files.write(dir.resolve("secret.mp4"), new byte[3]);
        Files.write(root.resolve("a.example.com/live/20260101-000000-000.mp4"), new byte[1]);
        Files.createSymbolicLink(stream.resolve("20260101-000001-000.mp4"), secret);
        RecordingFiles files = new RecordingFiles(root, Set::of);

        assertThat(files.find("a.example.com", "live", "demo", "20260101-000000-000.mp4")).get()
                .extracting(RecordingFiles.Entry::bytes).isEqualTo(7L);
        assertThat(files.find("a.example.com", "live", "demo", "20260101-000001-000.mp4")).as("a link").isEmpty();
        for (String[] bad : new String[][] {
                {"a.example.com", "live", "..", "20260101-000000-000.mp4"},
                {"a.example.com", "..", "..", "secret.mp4"},
                {"..", "..", "..", "secret.mp4"},
                {"a.example.com", "live", "demo", "../../../../secret.mp4"},
                {"a.example.com", "live", "demo", "/etc/passwd"},
                {"a.example.com", "live/demo", "x", "20260101-000000-000.mp4"},
                {".", "live", "demo", "20260101-000000-000.mp4"},
                {"a.example.com", "live", "demo", "20260101-000000-000.mp4\u0000"},
                {"a.example.com", "live", "demo", "20260101-000000-000.txt"},
        }) {
            assertThat(files.find(bad[0], bad[1], bad[2], bad[3])).as(String.join("|", bad)).isEmpty();
            assertThat(files.delete(bad[0], bad[1], bad[2], bad[3])).as(String.join("|", bad))
                    .isEqualTo(RecordingFiles.Deleted.NOT_FOUND);
        }
        assertThat(secret).exists();
        assertThat(files.list(v -> true, null, null, 100)).extracting(RecordingFiles.Entry::file)
                .containsExactly("20260101-000000-000.mp4");
        assertThat(files.list(v -> !v.equals("a.example.com"), null, null, 100)).isEmpty();
        assertThat(files.list(v -> true, "..", null, 100)).isEmpty();
        assertThat(files.delete("a.example.com", "live", "demo", "20260101-000000-000.mp4"))
                .isEqualTo(RecordingFiles.Deleted.DELETED);
        assertThat(files.list(v -> true, null, null, 100)).isEmpty();
    }

    @Test
    void aFileBeingWrittenIsNotDeleted() throws Exception {
        Path root = dir.resolve("recordings");
        Path f = Files.write(Files.createDirectories(root.resolve("h/live/demo")).resolve("20260101-000000-000.flv"),
                new byte[1]);
        RecordingFiles files = new RecordingFiles(root, () -> Set.of(f.toAbsolutePath().normalize()));
        assertThat(files.delete("h", "live", "demo", "20260101-000000-000.flv")).isEqualTo(RecordingFiles.Deleted.RECORDING);
        assertThat(f).exists();
        assertThat(files.find("h", "live", "demo", "20260101-000000-000.flv")).get()
                .extracting(RecordingFiles.Entry::recording, RecordingFiles.Entry::format)
                .containsExactly(true, RecordFormat.FLV);
    }
}
