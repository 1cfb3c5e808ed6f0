package dev.vireo.http.tls;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right after the SNI/TLS handler of an HTTPS connection: a refused or failed handshake (no
 * certificate for the SNI host, no SNI, a client that does not trust us) closes the connection with
 * the reason logged at debug, instead of reaching the HTTP handlers as an error.
 */
@ChannelHandler.Sharable
public final class TlsGuard extends ChannelInboundHandlerAdapter {

    public static final TlsGuard INSTANCE = new TlsGuard();

    private static final Logger log = LoggerFactory.getLogger(TlsGuard.class);

    private TlsGuard() {
    }

    /** The SNI lookup's refusal: a checked exception with a message and no stack trace. */
    public static final class NoCertificate extends SSLException {
        public NoCertificate(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SniCompletionEvent sni && !sni.isSuccess()) {
            refused(ctx, sni.cause());
        } else if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
            refused(ctx, hs.cause());
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof SSLException || cause instanceof DecoderException && tlsCause(cause) != null) {
            refused(ctx, cause);
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    private static void refused(ChannelHandlerContext ctx, Throwable cause) {
        if (ctx.channel().isOpen()) {
            Throwable why = tlsCause(cause);
            log.debug("TLS handshake with {} refused: {}", ctx.channel().remoteAddress(),
                    why == null ? String.valueOf(cause) : why.getMessage());
            ctx.close();
        }
    }

    private static Throwable tlsCause(Throwable t) {
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof SSLException) {
                return t;
            }
        }
        return null;
    }
}
