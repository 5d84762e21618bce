package dev.velocitypreview.sessions.identity;

import java.io.IOException;
import java.text.ParseException;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.proc.BadJOSEException;

import dev.velocitypreview.boot.problem.ProblemCounter;
import dev.velocitypreview.boot.problem.ProblemRenderer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The answers of the security layer as RFC 9457 problem+json, like every other refusal of the API:
 * 401 with {@code WWW-Authenticate: Bearer …} when the token is missing or refused, 403 when the
 * caller lacks the admin role, 503 when the identity provider's keys cannot be fetched.
 *
 * <p>Nothing here repeats the token: details are built from fixed texts and the validators'
 * descriptions, never from the request or a parser's message.
 */
final class BearerTokenProblems implements AuthenticationEntryPoint, AccessDeniedHandler, AuthenticationFailureHandler {

    static final String REALM = "velocity-preview";
    private static final int MAX_DESCRIPTION = 300;
    private static final Logger LOG = LoggerFactory.getLogger(BearerTokenProblems.class);

    private final ProblemCounter rejected;
    private final String adminRole;

    BearerTokenProblems(ProblemCounter rejected, String adminRole) {
        this.rejected = rejected;
        this.adminRole = adminRole;
    }

    /** No token where one is needed, or a token that was refused. */
    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        if (e instanceof InsufficientAuthenticationException || e instanceof AuthenticationCredentialsNotFoundException) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM + "\"");
            write(request, response, HttpStatus.UNAUTHORIZED, "unauthenticated",
                    "a bearer token is required: send Authorization: Bearer <JWT>");
            return;
        }
        String reason = reasonOf(e);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM
                + "\", error=\"invalid_token\", error_description=\"" + reason + "\"");
        write(request, response, HttpStatus.UNAUTHORIZED, "invalid_token", "the bearer token was refused: " + reason);
    }

    /** Decoding failed: the token's fault (401), or the key source's (503). */
    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
            AuthenticationException e) throws IOException {
        if (e instanceof AuthenticationServiceException && causedBy(e, KeySourceException.class)) {
            // the cause names the JWK set URL and the network error, never the token
            LOG.atWarn().addKeyValue("error", rootCause(e).toString()).log("identity provider keys not available");
            response.setHeader(HttpHeaders.RETRY_AFTER, "5");
            write(request, response, HttpStatus.SERVICE_UNAVAILABLE, "identity_unavailable",
                    "the identity provider's signing keys could not be fetched, so no token can be checked; retry shortly");
            return;
        }
        commence(request, response, e);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM
                + "\", error=\"insufficient_scope\", error_description=\"the " + adminRole + " role is required\"");
        write(request, response, HttpStatus.FORBIDDEN, "forbidden",
                "this endpoint needs the '" + adminRole + "' role, which the bearer token does not carry");
    }

    /**
     * Why a token was refused, in words safe for a header and a log: no part of the token itself. Told
     * apart by the exceptions {@code NimbusJwtDecoder} throws, never by their messages: a token that does
     * not parse has a {@link ParseException} as its cause; one whose signature, algorithm or key is refused
     * a {@link BadJOSEException}; an unsigned ({@code alg: none}) token is refused before it is processed,
     * with no cause at all.
     */
    static String reasonOf(AuthenticationException e) {
        JwtValidationException validation = cause(e, JwtValidationException.class);
        if (validation != null && !validation.getErrors().isEmpty()) {
            return safe(validation.getErrors().stream()
                    .map(error -> error.getDescription() == null ? error.getErrorCode() : error.getDescription())
                    .collect(Collectors.joining("; ")));
        }
        BadJwtException bad = cause(e, BadJwtException.class);
        if (bad != null) {
            if (causedBy(bad, ParseException.class)) {
                return "it is not a well-formed JWT";
            }
            if (bad.getCause() == null) {
                return "unsigned tokens are not accepted";
            }
            return "its signature does not verify with the configured keys, or its algorithm is not accepted";
        }
        if (e instanceof OAuth2AuthenticationException oauth && oauth.getError().getDescription() != null
                && e.getCause() == null) {
            // Spring's own fixed texts, such as "Bearer token is malformed"
            return safe(oauth.getError().getDescription());
        }
        return "it could not be verified";
    }

    /** Printable ASCII without quotes or backslashes (RFC 6750 error_description), bounded. */
    private static String safe(String text) {
        String kept = text.chars().filter(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return kept.length() > MAX_DESCRIPTION ? kept.substring(0, MAX_DESCRIPTION) + "..." : kept;
    }

    private void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String code,
            String detail) throws IOException {
        ProblemDetail problem = ProblemRenderer.withInstance(ProblemRenderer.problem(status, code, detail),
                request.getRequestURI());
        rejected.count(problem);
        // the challenge and Retry-After are on the response already; Spring Security adds its own headers
        ProblemRenderer.write(problem, new HttpHeaders(), new ServletServerHttpResponse(response));
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        return cause(e, type) != null;
    }

    private static <T extends Throwable> @Nullable T cause(Throwable e, Class<T> type) {
        for (Throwable current = e; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable current = e;
        while (current.getCause() != null && current.getCause() != current) {
            current = current.getCause();
        }
        return current;
    }
}
