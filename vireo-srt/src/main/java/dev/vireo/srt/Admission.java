package dev.vireo.srt;

import dev.vireo.core.Gate;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.srt.streamid.StreamId;
import dev.vireo.srt.streamid.StreamIdException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Whether an SRT handshake may go on, decided in libsrt's listen callback from in-memory state only
 * (the streamid, the {@link Gate} — domains, Type A signing, forbidden streams, domain limits, as for
 * RTMP — and the hub's live streams): no I/O, never blocks. An accepted caller gets its stream's
 * passphrase set on its socket before the handshake completes.
 */
final class Admission {

    /** The verdict for one handshake. */
    sealed interface Decision permits Accept, Reject {
    }

    /**
     * @param passphrase what the caller must use ("" = none)
     */
    record Accept(StreamKey key, StreamId id, Gate.AccessRequest request, String passphrase) implements Decision {
    }

    /** @param code the {@code SRT_REJX_*} code the caller sees */
    record Reject(int code, String reason) implements Decision {
    }

    private final Gate gate;
    private final StreamHub hub;
    private final Function<StreamKey, String> passphrases;

    private final Predicate<StreamKey> elsewhere;
    private final Predicate<StreamKey> holderGone;

    /** @param passphrases the passphrase of a stream ("" for none) */
    Admission(Gate gate, StreamHub hub, Function<StreamKey, String> passphrases) {
        this(gate, hub, passphrases, key -> false);
    }

    /**
     * @param elsewhere whether another node of the cluster publishes a key (answered from memory): a
     *     player of such a key is accepted and its subscription makes this node pull the stream
     */
    Admission(Gate gate, StreamHub hub, Function<StreamKey, String> passphrases, Predicate<StreamKey> elsewhere) {
        this(gate, hub, passphrases, elsewhere, key -> false);
    }

    /**
     * @param holderGone whether the live key's publisher is an SRT publisher of this listener whose
     *     connection is gone or stale (answered from memory and libsrt's socket state): a new
     *     publisher then takes its place instead of being refused as a second one
     */
    Admission(Gate gate, StreamHub hub, Function<StreamKey, String> passphrases, Predicate<StreamKey> elsewhere,
              Predicate<StreamKey> holderGone) {
        this.gate = gate;
        this.hub = hub;
        this.passphrases = passphrases;
        this.elsewhere = elsewhere;
        this.holderGone = holderGone;
    }

    Decision decide(String streamIdText, String peer) {
        StreamId id;
        try {
            id = StreamId.parse(streamIdText);
        } catch (StreamIdException e) {
            return new Reject(e.rejectCode(), e.getMessage());
        }
        boolean publish = id.mode() == StreamId.Mode.PUBLISH;
        Gate.AccessRequest req = new Gate.AccessRequest(publish ? Gate.Action.PUBLISH : Gate.Action.PLAY, "srt",
                id.host(), id.app(), id.stream(), "", id.query(), peer);
        StreamKey key;
        switch (gate.admit(req)) {
            case Gate.Deny d -> {
                return new Reject(RejectCode.of(d), d.reason());
            }
            case Gate.Allow a -> key = a.key();
        }
        Optional<Stream> live = hub.find(key);
        if (publish && live.isPresent() && live.get().isLive() && !holderGone.test(key)) {
            return new Reject(RejectCode.CONFLICT, "stream " + key.path() + " is already being published");
        }
        if (!publish && live.isEmpty() && !mayBeOnDemand(key.stream()) && !elsewhere.test(key)) {
            return new Reject(RejectCode.NOT_FOUND, "stream " + key.path() + " is not live");
        }
        return new Accept(key, id, req, passphrases.apply(key));
    }

    /**
     * Transcoded variants ({@code stream_tpl}, {@code stream@html5}) are produced on demand by a hub
     * source when played: they are subscribed to at accept time, not refused here.
     */
    private static boolean mayBeOnDemand(String stream) {
        return stream.indexOf('_') > 0 || stream.indexOf('@') > 0;
    }
}
