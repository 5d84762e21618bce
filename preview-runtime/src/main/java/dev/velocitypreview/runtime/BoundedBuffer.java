package dev.velocitypreview.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;

/**
 * A body read into memory up to a bound: what fits is kept, and the write that goes past it throws {@link Full}, so
 * a peer that sends without end is read no further. For the bodies the runtime reads itself: a dev server's first
 * page, a warm pool's claim.
 */
final class BoundedBuffer extends OutputStream {

    /** Thrown by the write that goes past the bound; what fitted is kept. */
    static final class Full extends IOException {
        Full(long maxBytes) {
            super("the body is longer than " + maxBytes + " bytes");
        }
    }

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final long maxBytes;

    BoundedBuffer(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        int room = (int) Math.min(Integer.MAX_VALUE, maxBytes - bytes.size());
        bytes.write(buffer, offset, Math.min(room, length));
        if (length > room) {
            throw new Full(maxBytes);
        }
    }

    byte[] toByteArray() {
        return bytes.toByteArray();
    }

    String toString(Charset charset) {
        return bytes.toString(charset);
    }
}
