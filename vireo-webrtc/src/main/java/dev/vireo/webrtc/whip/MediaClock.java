package dev.vireo.webrtc.whip;

import dev.vireo.webrtc.rtcp.NtpTime;

/**
 * Puts a publisher's RTP timestamps on the stream's clock (milliseconds since the session
 * started), one {@link Track} per RTP stream. A track is anchored on the arrival of its first
 * packet (RTP timestamp + arrival: what is left when the sender sends no sender report, as OBS
 * does); each sender report (RFC 3550 §6.4.1) re-anchors it on the sender's wallclock, the same
 * clock for every track of the sender, which lines audio and video up as the sender captured
 * them. The sender's wallclock is mapped onto ours once, at the first sender report. Times of a
 * track never go back. An RTP timestamp is read relative to the track's latest one (the anchor
 * follows it in whole seconds, exactly), so the 32-bit timestamp may wrap any number of times (RFC
 * 3550 §5.1: every 13.3 h at 90 kHz; a publisher without sender reports, anchored once, would
 * otherwise be read back in time after 6.6 h and freeze). Not thread-safe (one event loop).
 */
final class MediaClock {

    private final long originNanos;
    /** Our milliseconds (since origin) minus the sender's NTP milliseconds; MIN_VALUE before a report. */
    private long senderOffsetMillis = Long.MIN_VALUE;

    MediaClock(long originNanos) {
        this.originNanos = originNanos;
    }

    Track track(int clockRate) {
        return new Track(clockRate);
    }

    final class Track {
        private final int clockRate;
        private long anchorRtp = -1;
        private long anchorMillis;
        private long lastMillis = Long.MIN_VALUE;
        private boolean fromReport;

        private Track(int clockRate) {
            this.clockRate = clockRate;
        }

        /** The stream time of a packet or frame with RTP timestamp {@code rtp} arriving at {@code arrivalNanos}. */
        long millis(long rtp, long arrivalNanos) {
            if (anchorRtp < 0) {
                anchorRtp = rtp & 0xFFFF_FFFFL;
                anchorMillis = (arrivalNanos - originNanos) / 1_000_000;
            }
            int units = (int) (rtp - anchorRtp); // wraps correctly within ±2^31 units
            long ms = anchorMillis + Math.floorDiv((long) units * 1000, clockRate);
            // Move the anchor by the whole seconds to this timestamp: same mapping (k·rate units
            // are exactly k·1000 ms), but the next timestamp is read within ±2^31 units of this one.
            long seconds = units / clockRate;
            if (seconds != 0) {
                anchorRtp = anchorRtp + seconds * clockRate & 0xFFFF_FFFFL;
                anchorMillis += seconds * 1000;
            }
            if (lastMillis != Long.MIN_VALUE && ms < lastMillis) {
                ms = lastMillis;
            }
            lastMillis = ms;
            return ms;
        }

        /**
         * The sender restarted the RTP stream (a new SSRC): its timestamps start at a random value
         * (RFC 3550 §5.1), unrelated to the old ones, so the track is anchored again on the next
         * packet's arrival, as at its start, until a sender report of the new stream places it;
         * its times still never go back.
         */
        void restart() {
            anchorRtp = -1;
            fromReport = false;
        }

        /** A sender report of this track: RTP timestamp {@code rtp} is wallclock {@code ntp} (NTP format). */
        void onSenderReport(long ntp, long rtp, long arrivalNanos) {
            long senderMillis = NtpTime.toUnixMillis(ntp);
            if (senderOffsetMillis == Long.MIN_VALUE) {
                senderOffsetMillis = (arrivalNanos - originNanos) / 1_000_000 - senderMillis;
            }
            anchorRtp = rtp & 0xFFFF_FFFFL;
            anchorMillis = senderMillis + senderOffsetMillis;
            fromReport = true;
        }

        /** Whether sender reports place this track (else RTP timestamps and arrival do). */
        boolean fromSenderReports() {
            return fromReport;
        }
    }
}
