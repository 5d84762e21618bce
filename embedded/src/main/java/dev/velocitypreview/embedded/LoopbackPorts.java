package dev.velocitypreview.embedded;

/**
 * {@link dev.velocitypreview.core.net.LoopbackPorts} under the name the launcher and the tests have picked their
 * ports by; kept so that work written against this name still compiles (new code imports platform-core's).
 */
public final class LoopbackPorts {

    private LoopbackPorts() {
    }

    /** @throws IllegalStateException when no free port was found */
    public static int free() {
        return dev.velocitypreview.core.net.LoopbackPorts.free();
    }
}
