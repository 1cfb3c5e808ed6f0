package dev.vireo.transcode.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Peers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FfmpegInstallTest {

    @Test
    void findsFfmpegAndItsEncoders() {
        String path = Peers.ffmpeg();
        FfmpegInstall ffmpeg = FfmpegInstall.probe("ffmpeg", Duration.ofSeconds(10));
        assertThat(ffmpeg.usable()).isTrue();
        assertThat(ffmpeg.executable()).isEqualTo(path);
        assertThat(ffmpeg.version()).startsWith("ffmpeg version");
        assertThat(ffmpeg.encoders()).contains("libx264", "aac", "libopus");
        assertThat(ffmpeg.lacking("libx264")).isNull();
        assertThat(ffmpeg.lacking("no-such-encoder")).isEqualTo("transcoding unavailable: ffmpeg at " + path
                + " has no no-such-encoder encoder");
    }

    @Test
    void aMissingFfmpegIsAReasonNotAnError() {
        assertThat(FfmpegInstall.probe("vireo-no-such-ffmpeg", Duration.ofSeconds(1)).problem())
                .isEqualTo("transcoding unavailable: ffmpeg not found on PATH (looked for 'vireo-no-such-ffmpeg')");
        assertThat(FfmpegInstall.probe("/nonexistent/ffmpeg", Duration.ofSeconds(1)).problem())
                .isEqualTo("transcoding unavailable: ffmpeg not found at /nonexistent/ffmpeg");
        // something that is not ffmpeg at all
        assertThat(FfmpegInstall.probe("/bin/false", Duration.ofSeconds(5)).problem())
                .isEqualTo("transcoding unavailable: ffmpeg at /bin/false does not run: exit code 1");
    }
}
