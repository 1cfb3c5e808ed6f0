package dev.vireo.transcode.pipe;

import dev.vireo.core.MediaFrame;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The source's latest configuration and metadata frames, so that a restarted ffmpeg gets them
 * before anything else (they came once, at the start of the subscription). One per job.
 */
public final class SourceConfigs {
    private MediaFrame metadata;
    private MediaFrame video;
    private MediaFrame audio;
    private boolean released;

    public synchronized void remember(MediaFrame f) {
        if (released) {
            return;
        }
        if (f.isData()) {
            metadata = replace(metadata, f);
        } else if (f.isVideo()) {
            video = replace(video, f);
        } else {
            audio = replace(audio, f);
        }
    }

    private static MediaFrame replace(MediaFrame old, MediaFrame fresh) {
        if (old != null) {
            old.release();
        }
        return fresh.retain();
    }

    public synchronized void release() {
        released = true;
        for (MediaFrame f : new MediaFrame[] {metadata, video, audio}) {
            if (f != null) {
                f.release();
            }
        }
        metadata = null;
        video = null;
        audio = null;
    }

    /** Retained copies, metadata first; the caller releases them. */
    public synchronized List<MediaFrame> current() {
        List<MediaFrame> l = new ArrayList<>(3);
        for (MediaFrame f : new MediaFrame[] {metadata, video, audio}) {
            if (f != null) {
                l.add(f.retain());
            }
        }
        return l;
    }

    /** What one process was given, to tell a real change from a repetition. */
    public static final class Written {
        private byte[] video;
        private byte[] audio;

        public void note(MediaFrame f) {
            if (f.isConfig()) {
                byte[] b = bytes(f);
                if (f.isVideo()) {
                    video = b;
                } else {
                    audio = b;
                }
            }
        }

        public boolean changes(MediaFrame f) {
            if (!f.isConfig()) {
                return false;
            }
            byte[] before = f.isVideo() ? video : audio;
            return before != null && !Arrays.equals(before, bytes(f));
        }

        private static byte[] bytes(MediaFrame f) {
            return ByteBufUtil.getBytes(f.payload(), f.payload().readerIndex(), f.payload().readableBytes());
        }
    }
}
