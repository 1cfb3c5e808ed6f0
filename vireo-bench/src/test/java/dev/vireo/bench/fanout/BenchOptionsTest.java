package dev.vireo.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.bench.peers.VireoProcess;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private final Path root = Path.of("/work/x");

    @Test
    void defaultsCompareBothServersAtBothBitrates() {
        BenchOptions o = BenchOptions.parse(new String[0], root);
        assertThat(o.servers()).containsExactly("nginx", "vireo");
        assertThat(o.bitratesKbps()).containsExactly(600, 2000);
        assertThat(o.resultsDir()).isEqualTo(root.resolve("bench/results"));
        assertThat(o.effectiveSteps()).endsWith(3000);
        assertThat(FanoutBench.plan(o)).extracting(Object::toString)
                .containsExactly("nginx rtmp 600k", "vireo rtmp 600k", "nginx rtmp 2000k", "vireo rtmp 2000k");
    }

    @Test
    void maxViewersCapsTheSteps() {
        BenchOptions o = BenchOptions.parse(new String[] {"--max-viewers", "1000", "--steps", "100,50,800"}, root);
        assertThat(o.effectiveSteps()).isEqualTo(List.of(50, 100, 800));
        o = BenchOptions.parse(new String[] {"--max-viewers", "1000"}, root);
        assertThat(o.effectiveSteps()).isEqualTo(List.of(50, 100, 200, 400, 800, 1000));
    }

    @Test
    void janusIsTheWebRtcReferenceOfAWhepRamp() {
        BenchOptions o = BenchOptions.parse(new String[] {"--servers", "janus,vireo", "--protocols", "whep",
                "--bitrates", "600"}, root);
        assertThat(o.audio()).isEqualTo("opus");
        assertThat(FanoutBench.plan(o)).extracting(Object::toString).containsExactly("janus whep 600k", "vireo whep 600k");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--servers", "janus,vireo"}, root))
                .hasMessageContaining("whep");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--servers", "janus", "--protocols", "whep",
                "--audio", "aac"}, root)).hasMessageContaining("Opus");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--servers", "mediasoup"}, root))
                .hasMessageContaining("janus");
    }

    @Test
    void flvAddsAVireoOnlyRamp() {
        BenchOptions o = BenchOptions.parse(new String[] {"--protocols", "rtmp,flv", "--bitrates", "600"}, root);
        assertThat(FanoutBench.plan(o)).extracting(Object::toString)
                .containsExactly("nginx rtmp 600k", "vireo rtmp 600k", "vireo flv 600k");
    }

    @Test
    void theServerRunsWithTheLaunchersDefaultJvmOptions() throws java.io.IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{VIREO_JAVA_OPTS:-([^}]*)}")
                .matcher(java.nio.file.Files.readString(Path.of("../vireo")));
        assertThat(m.find()).isTrue();
        assertThat(VireoProcess.DEFAULT_JVM_OPTIONS).isEqualTo(m.group(1).strip());
    }

    @Test
    void vireoBIsTheSameServerWithOtherJvmOptions() {
        BenchOptions o = BenchOptions.parse(new String[] {"--servers", "vireo,vireo-b,vireo", "--bitrates", "600",
                "--vireo-b-jvm-opts", "-XX:+UseZGC -Dx=1"}, root);
        assertThat(o.vireoBJvmOptions()).containsExactly("-XX:+UseZGC", "-Dx=1");
        assertThat(FanoutBench.plan(o)).extracting(Object::toString)
                .containsExactly("vireo rtmp 600k", "vireo-b rtmp 600k", "vireo rtmp 600k");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--servers", "vireo,vireo-b"}, root))
                .hasMessageContaining("--vireo-b-jvm-opts");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--vireo-b-jvm-opts", "-Dx=1"}, root))
                .hasMessageContaining("vireo-b");
    }

    @Test
    void rejectsUnknownOptionsAndServers() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--nope"}, root)).hasMessageContaining("--nope");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--servers", "srs"}, root)).hasMessageContaining("srs");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--steps"}, root)).hasMessageContaining("needs a value");
    }

    @Test
    void refinementStepsAreRound() {
        assertThat(FanoutRamp.roundStep(150)).isEqualTo(150);
        assertThat(FanoutRamp.roundStep(604)).isEqualTo(600);
        assertThat(FanoutRamp.roundStep(3)).isEqualTo(10);
    }
}
