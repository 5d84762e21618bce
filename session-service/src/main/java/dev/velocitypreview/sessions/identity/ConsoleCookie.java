package dev.velocitypreview.sessions.identity;

import java.time.Duration;

import org.springframework.http.ResponseCookie;

/**
 * The operator console's credential in a browser: the admin's bearer token in a cookie that scripts cannot read
 * ({@code HttpOnly}), that no other site's request carries ({@code SameSite=Strict}), that is sent to
 * {@code /console} alone and, over https, only over https. A browser cannot send an {@code Authorization} header
 * on a navigation, hence the cookie; the token inside is verified on every request as a header's would be, so it
 * stops working when the token expires.
 */
public final class ConsoleCookie {

    public static final String NAME = "velocity_console";
    public static final String PATH = "/console";

    private ConsoleCookie() {
    }

    /** Holds {@code token} until the browser closes (the token's own expiry still applies). */
    public static ResponseCookie holding(String token, boolean secure) {
        return ResponseCookie.from(NAME, token).httpOnly(true).secure(secure).sameSite("Strict").path(PATH).build();
    }

    /** Tells the browser to drop the cookie. */
    static ResponseCookie cleared(boolean secure) {
        return ResponseCookie.from(NAME, "").httpOnly(true).secure(secure).sameSite("Strict").path(PATH)
                .maxAge(Duration.ZERO).build();
    }
}
