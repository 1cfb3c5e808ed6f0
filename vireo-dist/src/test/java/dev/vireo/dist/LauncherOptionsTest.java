package dev.vireo.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The archive's launcher starts the server with the same default JVM options as {@code ./vireo}
 * in the source tree: the two drifted once (the archive lost the options that hand memory back
 * after a load), so they are compared here.
 */
class LauncherOptionsTest {

    private static final Pattern DEFAULTS = Pattern.compile("\\$\\{VIREO_JAVA_OPTS:-([^}]*)}");

    @Test
    void theArchiveLauncherHasTheSourceTreesDefaultJvmOptions() throws IOException {
        String dist = defaults(Path.of("src/dist/vireo"));
        String tree = defaults(Path.of("../vireo"));
        assertThat(dist).isEqualTo(tree);
        // what hands memory back after a load (docs/RELIABILITY.md, "Memory after load")
        assertThat(dist).contains("-XX:ZCollectionInterval=", "-XX:TrimNativeHeapInterval=");
    }

    private static String defaults(Path launcher) throws IOException {
        Matcher m = DEFAULTS.matcher(Files.readString(launcher));
        assertThat(m.find()).as("a ${VIREO_JAVA_OPTS:-...} default in %s", launcher).isTrue();
        return m.group(1).strip();
    }
}
