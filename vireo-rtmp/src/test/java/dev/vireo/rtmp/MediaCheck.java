package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;

final class MediaCheck {

    private MediaCheck() {
    }

    /** Asserts the codec of a retained frame and releases it. */
    static void assertCodec(MediaFrame retained, Codec codec) {
        assertThat(retained).isNotNull();
        try {
            assertThat(retained.codec()).isEqualTo(codec);
        } finally {
            retained.release();
        }
    }
}
