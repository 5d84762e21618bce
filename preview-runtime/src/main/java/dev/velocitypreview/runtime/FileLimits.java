package dev.velocitypreview.runtime;

/**
 * How much of a project the runtime agrees to write.
 *
 * @param maxFileBytes  the largest single file, in UTF-8 bytes
 * @param maxTotalBytes the largest sum of all files, in UTF-8 bytes
 * @param maxFiles      the most entries (files and directories) a bundle may list
 */
record FileLimits(long maxFileBytes, long maxTotalBytes, int maxFiles) {

    static final FileLimits DEFAULT = new FileLimits(1L << 20, 50L << 20, 5000);

    FileLimits {
        // the bundle parser buffers one file's content as a Java string, so the limit must fit an int
        if (maxFileBytes < 1 || maxFileBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxFileBytes must be from 1 to " + Integer.MAX_VALUE + ", got " + maxFileBytes);
        }
        if (maxTotalBytes < 1) {
            throw new IllegalArgumentException("maxTotalBytes must be at least 1, got " + maxTotalBytes);
        }
        if (maxFiles < 1) {
            throw new IllegalArgumentException("maxFiles must be at least 1, got " + maxFiles);
        }
    }
}
