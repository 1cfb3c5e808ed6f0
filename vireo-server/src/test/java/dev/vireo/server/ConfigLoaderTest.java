package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Config load(List<String> args, Map<String, String> env) throws ConfigException {
        ConfigLoader.Outcome o = ConfigLoader.load(args, env, dir);
        assertThat(o).isInstanceOf(ConfigLoader.Run.class);
        return ((ConfigLoader.Run) o).config();
    }

    private Path yaml(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void embeddedDefaults() throws Exception {
        Config c = load(List.of(), Map.of());
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.rtmpPort()).isEqualTo(1935);
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.logLevel()).isEqualTo("info");
        assertThat(c.reconnectGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.slowViewerMaxLag()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.httpIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.httpMaxBodySize()).isEqualTo(1 << 20);
        assertThat(c.publicHost()).isEmpty();
        assertThat(c.srt().port()).isEqualTo(10080);
        assertThat(c.srt().latencyMs()).isEqualTo(120);
        assertThat(c.srt().passphrase()).isEmpty();
        assertThat(ConfigLoader.defaults()).isEqualTo(c);
    }

    @Test
    void webRtcJoinsPerAddressSetTheAdmissionPolicy() throws Exception {
        assertThat(load(List.of(), Map.of()).protection().rtcJoinsPerAddress()).isEqualTo(10);
        Config c = load(List.of("--rtc-joins-per-address", "200"), Map.of());
        assertThat(c.protection().rtcJoinsPerAddress()).isEqualTo(200);
        dev.vireo.webrtc.SessionAdmission.Policy p = dev.vireo.webrtc.SessionAdmission.Policy.defaults()
                .withJoinsPerAddress(c.protection().rtcJoinsPerAddress());
        assertThat(p.offersPerSecond()).isEqualTo(200);
        assertThat(p.offerBurst()).isEqualTo(400);
        assertThat(p.maxPendingPerAddress()).isEqualTo(200);
        assertThat(p.maxPending()).as("the cap on all connecting sessions grows with it").isEqualTo(200);
        assertThatThrownBy(() -> load(List.of(), Map.of("VIREO_RTC_JOINS_PER_ADDRESS", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rtc.joins-per-address")
                .hasMessageContaining("from 1 to 10000");
    }

    @Test
    void srtSettingsFromEnvironmentAndFlags() throws Exception {
        Config c = load(List.of("--srt-port", "0", "--srt-latency", "200ms"),
                Map.of("VIREO_SRT_PASSPHRASE", "0123456789abc", "VIREO_SRT_LATENCY", "500"));
        assertThat(c.srt().port()).isZero();
        assertThat(c.srt().latencyMs()).isEqualTo(200);
        assertThat(c.srt().passphrase()).isEqualTo("0123456789abc");
        assertThat(load(List.of(), Map.of("VIREO_SRT_LATENCY", "500")).srt().latencyMs()).isEqualTo(500);
        // libsrt takes 10..79 characters; the error does not repeat the secret
        assertThatThrownBy(() -> load(List.of("--srt-passphrase", "short"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("srt.passphrase")
                .hasMessageContaining("10 to 79").hasMessageNotContaining("short");
    }

    @Test
    void clusterRelaySettingsNeverShowTheSecret() throws Exception {
        assertThat(load(List.of(), Map.of()).relay().on()).isFalse();
        assertThat(load(List.of(), Map.of()).relay().port()).isEqualTo(9935);
        Config c = load(List.of("--cluster-port", "0"), Map.of("VIREO_CLUSTER_SECRET", "sixteen-chars-or-more"));
        assertThat(c.relay().port()).isZero();
        assertThat(c.relay().secret()).isEqualTo("sixteen-chars-or-more");
        assertThat(c.relay().on()).isTrue();
        assertThat(c.toString()).doesNotContain("sixteen-chars-or-more");
        assertThatThrownBy(() -> load(List.of("--cluster-secret", "too-short"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.secret")
                .hasMessageContaining("at least 16").hasMessageNotContaining("too-short");
    }

    @Test
    void fileThenEnvironmentThenFlagsEachOverrideTheOneBefore() throws Exception {
        yaml("vireo.yaml", """
                http:
                  port: 9001
                  idle-timeout: 5s
                rtmp:
                  port: 9002
                data-dir: /srv/vireo
                log-level: debug
                hub:
                  reconnect-grace: 3s
                """);
        Map<String, String> env = Map.of(
                "VIREO_HTTP_PORT", "9101",
                "VIREO_RTMP_PORT", "9102",
                "VIREO_SLOW_VIEWER_MAX_LAG", "750ms");
        Config c = load(List.of("--http-port", "9201", "--log-level=WARN"), env);

        assertThat(c.httpPort()).as("flag beats env and file").isEqualTo(9201);
        assertThat(c.rtmpPort()).as("env beats file").isEqualTo(9102);
        assertThat(c.dataDir()).as("file beats default").isEqualTo(Path.of("/srv/vireo"));
        assertThat(c.logLevel()).as("flag beats file").isEqualTo("warn");
        assertThat(c.reconnectGrace()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.slowViewerMaxLag()).isEqualTo(Duration.ofMillis(750));
        assertThat(c.httpIdleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.bind()).as("default where nobody says").isEqualTo("0.0.0.0");
    }

    @Test
    void hlsSettingsFromEachSourceAndTheirBounds() throws Exception {
        assertThat(load(List.of(), Map.of()).hls().partTarget()).isEqualTo(Duration.ofMillis(200));
        yaml("vireo.yaml", "hls:\n  segment-duration: 4s\n");
        Config c = load(List.of("--hls-part-duration", "500ms"), Map.of("VIREO_HLS_TOKEN_TTL", "2m"));
        assertThat(c.hls().segmentTarget()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.hls().partTarget()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.hls().tokenTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> load(List.of("--hls-part-duration", "5s"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("part target");
    }

    @Test
    void configFileChoice() throws Exception {
        yaml("vireo.yaml", "http:\n  port: 1001\n");
        Path env = yaml("env.yaml", "http:\n  port: 1002\n");
        Path flag = yaml("flag.yaml", "http:\n  port: 1003\n");
        assertThat(load(List.of(), Map.of()).httpPort()).isEqualTo(1001);
        assertThat(load(List.of(), Map.of("VIREO_CONFIG", env.toString())).httpPort()).isEqualTo(1002);
        assertThat(load(List.of("--config", flag.toString()), Map.of("VIREO_CONFIG", env.toString())).httpPort())
                .isEqualTo(1003);
        ConfigLoader.Run run = (ConfigLoader.Run) ConfigLoader.load(List.of("--config=" + flag), Map.of(), dir);
        assertThat(run.file()).isEqualTo(flag);
    }

    @Test
    void helpListsEveryOptionWithItsEnvironmentVariableAndDefault() throws Exception {
        ConfigLoader.Outcome o = ConfigLoader.load(List.of("--http-port", "1", "--help"), Map.of(), dir);
        assertThat(o).isInstanceOf(ConfigLoader.Help.class);
        String text = ((ConfigLoader.Help) o).text();
        for (Setting s : Setting.values()) {
            assertThat(text).contains(s.flag, s.env, "'" + s.defaultValue + "'");
        }
        assertThat(text).contains("--config", "VIREO_CONFIG");
    }

    @Test
    void badValuesNameTheSettingAndWhereItCameFrom() throws IOException {
        assertThatThrownBy(() -> load(List.of("--http-port", "99999"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port").hasMessageContaining("99999").hasMessageContaining("--http-port");
        assertThatThrownBy(() -> load(List.of(), Map.of("VIREO_RTMP_PORT", "x")))
                .hasMessageContaining("VIREO_RTMP_PORT");
        assertThatThrownBy(() -> load(List.of("--reconnect-grace", "10"), Map.of()))
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> load(List.of("--slow-viewer-max-lag", "0s"), Map.of()))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> load(List.of("--log-level", "loud"), Map.of()))
                .hasMessageContaining("log level");
        assertThatThrownBy(() -> load(List.of("--bind", "a b"), Map.of()))
                .hasMessageContaining("bind");
        assertThatThrownBy(() -> load(List.of("--http-port", "7000", "--rtmp-port", "7000"), Map.of()))
                .hasMessageContaining("both 7000");
        yaml("vireo.yaml", "http:\n  prot: 1\n");
        assertThatThrownBy(() -> load(List.of(), Map.of()))
                .hasMessageContaining("unknown setting 'http.prot'");
    }

    @Test
    void badCommandLinesAndFiles() throws IOException {
        assertThatThrownBy(() -> load(List.of("--htp-port", "1"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown option '--htp-port'");
        assertThatThrownBy(() -> load(List.of("--http-port"), Map.of()))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> load(List.of("--config", dir.resolve("missing.yaml").toString()), Map.of()))
                .hasMessageContaining("does not exist");
        Path broken = yaml("broken.yaml", "http: [1, 2\n");
        assertThatThrownBy(() -> load(List.of("--config", broken.toString()), Map.of()))
                .hasMessageContaining("not valid YAML");
        Path list = yaml("list.yaml", "http:\n  port: [1, 2]\n");
        assertThatThrownBy(() -> load(List.of("--config", list.toString()), Map.of()))
                .hasMessageContaining("single value");
    }

    @Test
    void emptyFileMeansDefaults() throws Exception {
        yaml("vireo.yaml", "");
        assertThat(load(List.of(), Map.of())).isEqualTo(ConfigLoader.defaults());
    }

    @Test
    void valueFormats() {
        assertThat(ConfigValues.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ConfigValues.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ConfigValues.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(ConfigValues.duration("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        assertThat(ConfigValues.duration("0s")).isZero();
        assertThat(ConfigValues.size("512KiB")).isEqualTo(512 * 1024);
        assertThat(ConfigValues.size("2m")).isEqualTo(2 << 20);
        assertThat(ConfigValues.size("1000")).isEqualTo(1000);
        assertThatThrownBy(() -> ConfigValues.size("4096MiB")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConfigValues.port("-1")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ConfigValues.port("0")).isZero();
    }

    @Test
    void clusterSettingsAreReadAndTheirSecretsNeverShown() throws Exception {
        Config.ClusterConfig none = load(List.of(), Map.of()).cluster();
        assertThat(none.clustered()).isFalse();
        assertThat(none.storeUrl()).isEmpty();
        assertThat(none.role()).isEqualTo(dev.vireo.cluster.registry.RegistryConfig.Role.BOTH);
        assertThat(none.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(none.renewInterval()).isEqualTo(Duration.ofSeconds(3));

        Config.ClusterConfig c = load(List.of("--node-id", "edge-7", "--node-role", "edge", "--cluster-claim-ttl", "6s"),
                Map.of("VIREO_STORE_URL", "jdbc:postgresql://db:5432/vireo?user=v&password=s3cret-pw",
                        "VIREO_CLUSTER_REDIS", "redis://:r3dis-pw@redis:6379/2", "VIREO_NODE_REGION", "eu-west",
                        "VIREO_NODE_INTERNAL_ADDRESS", "10.0.0.7:7000")).cluster();
        assertThat(c.clustered()).isTrue();
        assertThat(c.nodeId()).isEqualTo("edge-7");
        assertThat(c.role()).isEqualTo(dev.vireo.cluster.registry.RegistryConfig.Role.EDGE);
        assertThat(c.region()).isEqualTo("eu-west");
        assertThat(c.internalAddress()).isEqualTo("10.0.0.7:7000");
        assertThat(c.claimTtl()).isEqualTo(Duration.ofSeconds(6));
        assertThat(c.toString()).doesNotContain("s3cret-pw", "r3dis-pw");

        assertThatThrownBy(() -> load(List.of(), Map.of("VIREO_STORE_URL", "postgres://u:s3cret-pw@db/x")))
                .hasMessageContaining("store.url").hasMessageNotContaining("s3cret-pw");
        assertThatThrownBy(() -> load(List.of(), Map.of("VIREO_CLUSTER_REDIS", "http://:r3dis-pw@redis")))
                .hasMessageContaining("cluster.redis").hasMessageNotContaining("r3dis-pw");
        assertThatThrownBy(() -> load(List.of("--node-role", "leader"), Map.of())).hasMessageContaining("origin, edge");
        assertThatThrownBy(() -> load(List.of("--cluster-renew-interval", "10s"), Map.of()))
                .hasMessageContaining("cluster.renew-interval");
    }
}
