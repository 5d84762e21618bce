package dev.velocitypreview.router.routing;

import java.net.URI;
import java.net.URISyntaxException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Answers the requests Reactor Netty and WebFlux would refuse with an empty 400 before any of our code
 * runs with a problem+json instead: those Netty's decoder fails on (a bare CR in a header, a malformed
 * line, a request line or headers too long) and those whose target is not a URI (a raw {@code {} in
 * the path), which WebFlux cannot turn into a request. Such a request is dropped whole and the
 * connection closed after the answer; the details are fixed sentences, never a part of the request.
 */
@Component
class MalformedRequestProblems implements NettyServerCustomizer {

    private static final Logger LOG = LoggerFactory.getLogger(MalformedRequestProblems.class);
    static final String HANDLER = "velocity.malformedRequestProblems";

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnChannelInit((observer, channel, remoteAddress) -> {
            ChannelPipeline pipeline = channel.pipeline();
            // HTTP/1.1 only: an h2 stream's pipeline has no codec of this name, and h2 has no such framing errors
            if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                pipeline.addAfter(NettyPipeline.HttpCodec, HANDLER, new Refusal());
            }
        });
    }

    /** The problem for a decoded request head, or null when it may go on to WebFlux. */
    static @Nullable Problem problemFor(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof TooLongHttpLineException) {
                return Problem.requestTooLong(HttpStatus.URI_TOO_LONG, "the request line is longer than this router "
                        + "reads; shorten the path and query");
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return Problem.requestTooLong(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request headers are "
                        + "larger than this router reads; send fewer or shorter headers (cookies included)");
            }
            return Problem.malformedRequest("the request is not valid HTTP/1.1: a header holds a control character "
                    + "such as a bare CR, or the request line or a header line is malformed (RFC 9112)");
        }
        if (isPlainOriginForm(request.uri())) {
            return null;
        }
        try {
            new URI(request.uri());
            return null;
        } catch (URISyntaxException e) {
            return Problem.malformedRequest("the request target is not a valid URI: characters such as '{', '}', "
                    + "'|', '\\', '^', '<', '>', '\"' and spaces must be percent-encoded (RFC 3986)");
        }
    }

    /**
     * True for a target {@link URI} surely accepts, checked without parsing it (this runs on every request): an
     * absolute path (not {@code //}, which would be read as an authority), then path characters, a query of them,
     * {@code /} and {@code ?}, and well-formed percent escapes. Anything else is left to {@link URI} itself.
     */
    static boolean isPlainOriginForm(String target) {
        int length = target.length();
        if (length == 0 || target.charAt(0) != '/' || (length > 1 && target.charAt(1) == '/')) {
            return false;
        }
        for (int i = 1; i < length; i++) {
            char c = target.charAt(i);
            if (c == '%') {
                if (i + 2 >= length || Character.digit(target.charAt(i + 1), 16) < 0
                        || Character.digit(target.charAt(i + 2), 16) < 0) {
                    return false;
                }
                i += 2;
            } else if (!isPathOrQueryChar(c)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 2396's unreserved and the punctuation {@link URI} takes in a path, plus {@code /} and {@code ?}. */
    private static boolean isPathOrQueryChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0;
    }

    /** One per connection: once a request is refused, the rest of it (and anything after) is dropped. */
    private static final class Refusal extends ChannelInboundHandlerAdapter {

        private boolean refused;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (!refused && message instanceof HttpRequest request) {
                Problem problem = problemFor(request);
                if (problem != null) {
                    refused = true;
                    LOG.atDebug().addKeyValue("code", problem.code()).log("request refused before routing");
                    ReferenceCountUtil.release(message);
                    ctx.writeAndFlush(problem.toClosingResponse()).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
            }
            if (refused) {
                ReferenceCountUtil.release(message);
                return;
            }
            ctx.fireChannelRead(message);
        }
    }
}
