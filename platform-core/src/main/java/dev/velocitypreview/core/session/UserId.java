package dev.velocitypreview.core.session;

import java.util.regex.Pattern;

/** User ids come from an identity provider's {@code sub} claim; this is the shape we accept. */
public final class UserId {

    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9._:@|+-]{1,128}");

    private UserId() {
    }

    public static boolean isValid(String raw) {
        return raw != null && SHAPE.matcher(raw).matches();
    }

    /** @throws SessionId.InvalidIdException when {@code raw} is not 1–128 of {@code A-Za-z0-9._:@|+-} */
    public static String require(String raw) {
        if (!isValid(raw)) {
            throw new SessionId.InvalidIdException("userId must be 1-128 characters of A-Z a-z 0-9 . _ : @ | + -, got "
                    + (raw == null ? "nothing" : SessionId.quote(raw)));
        }
        return raw;
    }
}
