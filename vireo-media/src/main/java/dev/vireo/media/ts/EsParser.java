package dev.vireo.media.ts;

import io.netty.buffer.ByteBuf;

/** Turns the payloads of complete PES packets of one elementary stream into samples. */
sealed interface EsParser permits AnnexBParser, AdtsParser, OpusParser {

    /**
     * One PES payload (valid during the call only) with unwrapped 90 kHz time stamps;
     * {@code hasPts} false when the PES carried none.
     */
    void pes(ByteBuf payload, boolean hasPts, long pts, long dts);

    /** Packets were lost: forget partial state that spans PES packets. */
    default void discontinuity() {
    }

    /** Releases what the parser holds. */
    default void release() {
    }
}
