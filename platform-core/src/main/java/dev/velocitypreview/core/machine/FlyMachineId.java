package dev.velocitypreview.core.machine;

import java.util.regex.Pattern;

/**
 * The shape of a Fly Machine id as the Machines API hands them out: 14 lower-case hex digits
 * ({@code 148ed193b95e89}). The Fly driver puts ids into API paths and the router into {@code fly-replay}
 * headers; an id of any other shape goes into neither, and is quoted (never echoed raw) when reported.
 */
public final class FlyMachineId {

    /** For messages: what a valid id looks like. */
    public static final String SHAPE = "14 lower-case hex digits";

    private static final Pattern PATTERN = Pattern.compile("[0-9a-f]{14}");

    private FlyMachineId() {
    }

    /** True when {@code raw} is a Fly Machine id; false for null. */
    public static boolean isValid(String raw) {
        return raw != null && raw.length() == 14 && PATTERN.matcher(raw).matches();
    }
}
