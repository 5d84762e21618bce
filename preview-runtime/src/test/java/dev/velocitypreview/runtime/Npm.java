package dev.velocitypreview.runtime;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** The tests that run real dev servers need npm: they fail saying so, never skip, when it is missing. */
final class Npm {

    private Npm() {
    }

    static void requireOnPath() throws InterruptedException {
        try {
            Process npm = new ProcessBuilder("npm", "--version").redirectErrorStream(true).start();
            if (!npm.waitFor(60, TimeUnit.SECONDS) || npm.exitValue() != 0) {
                fail("npm --version did not succeed: these tests need Node 20 and npm on the PATH");
            }
        } catch (IOException e) {
            fail("npm is not on the PATH (" + e.getMessage() + "): these tests need Node 20 and npm");
        }
    }
}
