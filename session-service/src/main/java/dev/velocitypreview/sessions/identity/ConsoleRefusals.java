package dev.velocitypreview.sessions.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.web.util.HtmlUtils;

import dev.velocitypreview.boot.problem.ProblemCounter;
import dev.velocitypreview.boot.problem.ProblemRenderer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The console's refusals: its data endpoint answers problem+json (401 {@code console_sign_in_required} or
 * {@code invalid_token}, 403 {@code forbidden}) like the API; its pages answer with a small sign-in page of the
 * same status, so an operator whose cookie expired sees how to sign in again. A refused cookie is cleared.
 */
final class ConsoleRefusals implements AuthenticationEntryPoint, AccessDeniedHandler {

    private static final String DATA = "/console/data";

    private final ProblemCounter rejected;
    private final String adminRole;

    ConsoleRefusals(ProblemCounter rejected, String adminRole) {
        this.rejected = rejected;
        this.adminRole = adminRole;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        boolean missing = e instanceof InsufficientAuthenticationException
                || e instanceof AuthenticationCredentialsNotFoundException;
        if (!missing) {
            response.addHeader(HttpHeaders.SET_COOKIE, ConsoleCookie.cleared(request.isSecure()).toString());
        }
        if (DATA.equals(request.getRequestURI())) {
            problem(request, response, HttpStatus.UNAUTHORIZED, missing ? "console_sign_in_required" : "invalid_token",
                    missing ? "sign in to the console first: open " + ConsoleSecurityConfiguration.SIGN_IN
                            + "?token=<a bearer token with the '" + adminRole + "' role>"
                            : "the console's token was refused: " + BearerTokenProblems.reasonOf(e));
            return;
        }
        page(response, HttpStatus.UNAUTHORIZED, missing ? "Sign in with a bearer token that carries the '" + adminRole
                + "' role." : "That token was refused: " + BearerTokenProblems.reasonOf(e) + ". Sign in again.");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        if (DATA.equals(request.getRequestURI())) {
            problem(request, response, HttpStatus.FORBIDDEN, "forbidden",
                    "the console needs the '" + adminRole + "' role, which the token does not carry");
            return;
        }
        response.addHeader(HttpHeaders.SET_COOKIE, ConsoleCookie.cleared(request.isSecure()).toString());
        page(response, HttpStatus.FORBIDDEN, "That token does not carry the '" + adminRole
                + "' role, which the console needs. Sign in with an admin's token.");
    }

    private void problem(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String code,
                         String detail) throws IOException {
        ProblemDetail problem = ProblemRenderer.withInstance(ProblemRenderer.problem(status, code, detail),
                request.getRequestURI());
        rejected.count(problem);
        ProblemRenderer.write(problem, new HttpHeaders(), new ServletServerHttpResponse(response));
    }

    /** A form that sends the token to the sign-in, which answers with the cookie and a redirect to the console. */
    private static void page(HttpServletResponse response, HttpStatus status, String message) throws IOException {
        String html = """
                <!doctype html>
                <html lang="en">
                <head><meta charset="utf-8"><title>Velocity Preview console: sign in</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <link rel="stylesheet" href="/console/assets/console.css"></head>
                <body class="sign-in"><main>
                <h1>Velocity Preview console</h1>
                <p id="sign-in-message">%s</p>
                <form method="get" action="%s">
                <label>Admin token <input type="password" name="token" autocomplete="off" required></label>
                <button type="submit">Sign in</button>
                </form>
                <p class="hint">The launcher prints a link that signs you in.</p>
                </main></body></html>
                """.formatted(HtmlUtils.htmlEscape(message), ConsoleSecurityConfiguration.SIGN_IN);
        response.setStatus(status.value());
        response.setContentType(MediaType.TEXT_HTML_VALUE + ";charset=UTF-8");
        response.getOutputStream().write(html.getBytes(StandardCharsets.UTF_8));
    }
}
