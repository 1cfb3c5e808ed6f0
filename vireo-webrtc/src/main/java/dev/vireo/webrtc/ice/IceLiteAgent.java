package dev.vireo.webrtc.ice;

import dev.vireo.webrtc.stun.IceCheck;
import dev.vireo.webrtc.stun.StunBinding;
import dev.vireo.webrtc.stun.StunMessage;
import dev.vireo.webrtc.transport.MediaPath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The ICE-lite agent of one session (RFC 8445 §2.5): it never checks, it answers the peer's
 * connectivity checks (§7.3), binds their source addresses to the session, follows the peer's
 * nomination to select the media path (UDP, or an ICE-TCP connection, RFC 6544), keeps consent
 * fresh from the checks (RFC 7675) and restarts with new credentials on request (§9).
 *
 * <p>Threading: {@link #onRequest} and the getters on the session's loop; {@link #restart} from any
 * thread (the swap of credentials runs on the loop).
 */
public final class IceLiteAgent {

    /** Source addresses a session may have bound at once (one per candidate pair the peer tried). */
    private static final int MAX_ADDRESSES = 8;

    /** Where the agent registers what routes packets to its session (the port's session table). */
    public interface Bindings {

        /** Datagrams from {@code address} go to this session from now on. */
        void bind(InetSocketAddress address);

        void unbind(InetSocketAddress address);

        /** Checks for {@code ufrag} no longer reach this session. */
        void forgetUfrag(String ufrag);

        /** Fresh credentials, registered for this session (unique ufrag). */
        IceCredentials fresh();
    }

    /**
     * What a check led to.
     *
     * @param check the validation outcome
     * @param reply the STUN response to send back on the check's path, or null (nothing to answer)
     * @param movedFrom the previous media path when this check moved media to another one, else null
     */
    public record Check(IceCheck check, ByteBuf reply, MediaPath movedFrom) {
    }

    private final Bindings bindings;
    private final Executor loop;
    private final ConsentFreshness consent;
    private final Set<String> ufrags = ConcurrentHashMap.newKeySet();
    /** Loop-confined: the UDP addresses bound to this session, oldest first. */
    private final Set<InetSocketAddress> addresses = new LinkedHashSet<>();
    private volatile IceCredentials local;
    /** The credentials before an ICE restart, valid until the first check with the new ones. */
    private volatile IceCredentials previous;
    private volatile MediaPath selected;
    private long checks;

    public IceLiteAgent(IceCredentials local, ConsentFreshness consent, Executor loop, Bindings bindings) {
        this.local = local;
        this.consent = consent;
        this.loop = loop;
        this.bindings = bindings;
        ufrags.add(local.ufrag());
    }

    /** The local credentials for the answer (the new ones after {@link #restart()}). */
    public IceCredentials localCredentials() {
        return local;
    }

    /** The path media goes over, or null before a valid check. */
    public MediaPath selected() {
        return selected;
    }

    /** Valid checks answered. */
    public long checks() {
        return checks;
    }

    public ConsentFreshness consent() {
        return consent;
    }

    /** On the loop: validates a Binding request that arrived on {@code path} and acts on it. */
    public Check onRequest(StunMessage request, MediaPath path, ByteBufAllocator alloc) {
        IceCredentials creds = local;
        IceCredentials old = previous;
        String username = request.username().orElse("");
        int colon = username.indexOf(':');
        if (old != null && colon > 0 && username.substring(0, colon).equals(old.ufrag())) {
            creds = old;
        }
        IceCheck outcome = StunBinding.check(request, creds.ufrag(), creds.pwd());
        return switch (outcome) {
            case ACCEPT -> accept(request, path, creds, alloc);
            case DISCARD -> new Check(outcome, null, null);
            // RFC 8445 §7.3.1.1: 487 carries MESSAGE-INTEGRITY.
            case ROLE_CONFLICT -> new Check(outcome, StunBinding.errorResponse(alloc, request, outcome, creds.pwd()), null);
            // RFC 8489 §9.1.3: 400/401 carry no MESSAGE-INTEGRITY.
            default -> new Check(outcome, StunBinding.errorResponse(alloc, request, outcome, null), null);
        };
    }

    /**
     * RFC 8445 §7.3: a valid check is answered, binds its source, and may nominate the pair. The
     * first valid check selects its path; a nominating check on another path moves media there.
     */
    private Check accept(StunMessage request, MediaPath path, IceCredentials creds, ByteBufAllocator alloc) {
        ByteBuf reply = StunBinding.successResponse(alloc, request, path.remoteAddress(), creds.pwd());
        checks++;
        consent.onValidCheck(System.nanoTime());
        if (creds == local && previous != null) {
            // The restart is complete: the peer checks with the new credentials.
            forget(previous);
            previous = null;
        }
        if (!path.isTcp() && addresses.add(path.remoteAddress())) {
            bindings.bind(path.remoteAddress());
            if (addresses.size() > MAX_ADDRESSES) {
                evictOldestAddress();
            }
        }
        MediaPath current = selected;
        boolean moves = current == null || StunBinding.nominates(request) && !path.equals(current);
        if (moves) {
            selected = path;
        }
        return new Check(IceCheck.ACCEPT, reply, moves ? current : null);
    }

    private void evictOldestAddress() {
        MediaPath current = selected;
        Iterator<InetSocketAddress> it = addresses.iterator();
        while (it.hasNext()) {
            InetSocketAddress a = it.next();
            if (current == null || current.isTcp() || !a.equals(current.remoteAddress())) {
                it.remove();
                bindings.unbind(a);
                return;
            }
        }
    }

    /**
     * An ICE restart (RFC 8445 §9, a WHIP/WHEP PATCH): fresh local credentials for the new answer.
     * The old ones stay valid until the peer's first check with the new ones, so media and consent
     * continue meanwhile; DTLS and SRTP are not affected. Any thread.
     */
    public IceCredentials restart() {
        IceCredentials fresh = bindings.fresh();
        ufrags.add(fresh.ufrag());
        loop.execute(() -> {
            IceCredentials old = previous;
            if (old != null) {
                forget(old);
            }
            previous = local;
            local = fresh;
        });
        return fresh;
    }

    private void forget(IceCredentials credentials) {
        ufrags.remove(credentials.ufrag());
        bindings.forgetUfrag(credentials.ufrag());
    }

    /** Every ufrag this agent answers to (for the session table's clean-up). */
    public List<String> ufrags() {
        return List.copyOf(ufrags);
    }

    /** The UDP addresses bound now; on the loop (or once it stopped). */
    public List<InetSocketAddress> addresses() {
        return new ArrayList<>(addresses);
    }
}
