package dev.vireo.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.bench.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NginxProcessTest {

    private static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");

    @TempDir
    Path work;

    @Test
    void theRtmpConfigIsAStockLiveApplicationWithoutHls() {
        String c = NginxProcess.config(MODULE, 1935, 0, work);
        assertThat(c).contains("load_module " + MODULE + ";", "worker_processes 1;", "listen 127.0.0.1:1935;",
                "application live {", "live on;", "record off;");
        assertThat(c).doesNotContain("hls on", "http {");
        assertBalanced(c);
    }

    @Test
    void theHlsConfigWritesFragmentsAndServesThemOverHttp() {
        String c = NginxProcess.config(MODULE, 1935, 8080, work);
        assertThat(c).contains("hls on;", "hls_path " + work.resolve("hls") + ";", "hls_fragment 2s;",
                "listen 127.0.0.1:8080;", "alias " + work.resolve("hls") + ";");
        assertBalanced(c);
    }

    /** When nginx and its RTMP module are installed (the benches' reference; ./test does not install it): nginx -t accepts both. */
    @Test
    void nginxAcceptsBothConfigsWhereItIsInstalled() throws Exception {
        Path nginx = Path.of("/usr/sbin/nginx");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(nginx) && Files.exists(MODULE),
                "nginx with libnginx-mod-rtmp is not installed (a bench peer only)");
        for (int http : new int[] {0, FreePort.pick()}) {
            Files.createDirectories(work.resolve("logs"));
            Path conf = Files.writeString(work.resolve("nginx.conf"), NginxProcess.config(MODULE, FreePort.pick(), http, work));
            Process p = new ProcessBuilder(nginx.toString(), "-t", "-p", work + "/", "-c", conf.toString(),
                    "-e", work.resolve("logs/error.log").toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
        }
    }

    private static void assertBalanced(String config) {
        assertThat(config.chars().filter(ch -> ch == '{').count()).isEqualTo(config.chars().filter(ch -> ch == '}').count());
    }
}
