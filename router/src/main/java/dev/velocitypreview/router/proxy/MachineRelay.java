package dev.velocitypreview.router.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * The last handler of a connection to a machine ({@link MachineConnections}): hands what the machine sends to the
 * exchange using the connection. An idle connection has none; a machine that sends anything on it then is not
 * speaking HTTP/1.1 as it should, and the connection is closed.
 */
final class MachineRelay extends ChannelInboundHandlerAdapter {

    private @Nullable MachineExchange exchange;

    void use(@Nullable MachineExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        MachineExchange current = exchange;
        if (current == null) {
            ReferenceCountUtil.release(message);
            ctx.close();
            return;
        }
        if (message instanceof HttpResponse head) {
            current.responseHead(head);
        }
        if (message instanceof HttpContent content) {
            current.responseContent(content);
        } else if (!(message instanceof HttpResponse)) {
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        MachineExchange current = exchange;
        if (current != null) {
            current.responseReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        MachineExchange current = exchange;
        if (current != null) {
            current.machineFailed(ctx.channel(), MachineExchange.CLOSED_BEFORE_ANSWER);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        MachineExchange current = exchange;
        if (current != null) {
            current.machineFailed(ctx.channel(), cause);
        }
        ctx.close();
    }
}
