package dev.vireo.record;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.fmp4.Fmp4Packer;
import dev.vireo.media.Codec;
import java.util.List;

/** Fragmented MP4 files: core's {@link Fmp4Packer} (the one LL-HLS uses), one fragment per chunk. */
final class Fmp4FilePacker implements FilePacker {

    private final Fmp4Packer packer;

    private Fmp4FilePacker(Fmp4Packer packer) {
        this.packer = packer;
    }

    static Fmp4FilePacker of(MediaFrame videoConfig, MediaFrame audioConfig, Codec audioCodec) {
        Fmp4Packer p = Fmp4Packer.of(videoConfig, audioConfig, audioCodec);
        return p == null ? null : new Fmp4FilePacker(p);
    }

    @Override
    public byte[] header() {
        return packer.init();
    }

    @Override
    public boolean carries(MediaFrame f) {
        return packer.carries(f);
    }

    @Override
    public byte[] chunk(List<MediaFrame> video, long videoEndDts, List<MediaFrame> audio) {
        return packer.fragment(video, videoEndDts, audio);
    }
}
