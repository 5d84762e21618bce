package dev.velocitypreview.router;

/** Closes what a test class started, in the order given, skipping what never started. */
final class Closing {

    private Closing() {
    }

    static void all(AutoCloseable... resources) throws Exception {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                resource.close();
            }
        }
    }
}
