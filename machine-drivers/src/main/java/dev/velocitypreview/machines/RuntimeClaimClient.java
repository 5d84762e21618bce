package dev.velocitypreview.machines;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.retry.Backoff;

/**
 * Sends a pooled machine's runtime its claim: {@code POST <url>/__velocity/claim} with the machine's claim token as a
 * bearer token and the claim's JSON ({@link EditCodec#encodeClaim}), and waits for the runtime to answer that the
 * session's files are in place (written, not yet checked by the dev server: a claim waits for no compile). Shared by
 * the drivers, as {@link RuntimeHealthProbe} is.
 *
 * <p>A runtime that is not warm yet, or is applying another claim, answers 503: the claim is sent again after a
 * {@link Backoff} pause, as after a connection that failed, until the call's timeout. Refusals (400, 401, 404, 409, 422
 * and any other 4xx) are permanent and carry the runtime's answer; another 5xx is transient.
 *
 * <p>Thread-safe; one instance serves any number of concurrent claims.
 */
public final class RuntimeClaimClient {

    static final String CLAIM_PATH = "/__velocity/claim";
    /** Enough of a refusal's body to say why; a runtime runs untrusted code, so its answer is not kept whole. */
    private static final int MAX_ANSWER_CHARS = 500;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The runtime's answer to a claim it took.
     *
     * @param written files whose content the claim changed
     * @param deleted files the claim removed
     * @param outcome {@code applied}: the files are in place and the runtime serves the session; whether they compile
     *                is the runtime's first sync's to tell the platform ({@code compile_error} came from runtimes that
     *                checked before answering), so nothing here decides on it
     */
    public record Claimed(UUID sessionId, int written, int deleted, String outcome) {
        public Claimed {
            Objects.requireNonNull(sessionId, "sessionId == null");
            Objects.requireNonNull(outcome, "outcome == null");
        }
    }

    private final HttpClient http;
    private final Backoff backoff;

    /**
     * @param connectTimeout bound on connecting to the runtime, for each attempt
     * @param backoff        the pause after a 503 or a failed connection
     */
    public RuntimeClaimClient(Duration connectTimeout, Backoff backoff) {
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
        }
        this.backoff = Objects.requireNonNull(backoff, "backoff == null");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Claims the machine whose runtime answers at {@code baseUrl} for {@code claim}'s session.
     *
     * @param timeout bound on the whole call, every attempt and pause included; one attempt may take most of it, as
     *                the runtime answers once the files are written (its dev server checks them afterwards)
     * @throws MachineException permanent when the runtime refuses the claim (the message has its status and answer),
     *                          transient when it did not take it in time, answered another 5xx, or the thread was
     *                          interrupted
     */
    public Claimed claim(String machineId, URI baseUrl, MachineClaim claim, String claimToken, Duration timeout) {
        byte[] body = EditCodec.encodeClaim(claim);
        UUID session = claim.sessionId();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no attempt yet";
        try {
            for (int attempt = 1; ; attempt++) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve(CLAIM_PATH))
                        .timeout(Duration.ofNanos(remaining))
                        .header("Authorization", "Bearer " + claimToken)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    int status = response.statusCode();
                    if (status == 200) {
                        return claimed(machineId, session, response.body());
                    }
                    last = "HTTP " + status + ": " + answer(response.body());
                    if (status >= 500 && status != 503) {
                        throw new MachineException("the runtime of machine " + machineId + " failed the claim of session "
                                + session + ": " + last, true);
                    }
                    if (status != 503) {
                        throw new MachineException("the runtime of machine " + machineId + " refused the claim of session "
                                + session + ": " + last, false);
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
                long pause = backoff.delay(attempt).toNanos();
                if (System.nanoTime() + pause - deadline > 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.sleep(pause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MachineException("interrupted while claiming machine " + machineId + " for session " + session, true, e);
        }
        throw new MachineException("the runtime of machine " + machineId + " did not take the claim of session " + session
                + " within " + timeout + " (last answer: " + last + ")", true);
    }

    private static Claimed claimed(String machineId, UUID session, String body) {
        try {
            JsonNode answer = JSON.readTree(body);
            Claimed claimed = new Claimed(UUID.fromString(answer.path("sessionId").asString("")),
                    answer.path("written").asInt(0), answer.path("deleted").asInt(0), answer.path("outcome").asString("applied"));
            if (!claimed.sessionId().equals(session)) {
                throw new MachineException("the runtime of machine " + machineId + " answered the claim of session " + session
                        + " for session " + claimed.sessionId(), false);
            }
            return claimed;
        } catch (JacksonException | IllegalArgumentException e) {
            throw new MachineException("the runtime of machine " + machineId + " took the claim of session " + session
                    + " but answered with a body this driver cannot read: " + answer(body), false, e);
        }
    }

    private static String answer(String body) {
        String trimmed = body == null ? "" : body.strip();
        if (trimmed.isEmpty()) {
            return "(no body)";
        }
        return trimmed.length() <= MAX_ANSWER_CHARS ? trimmed : trimmed.substring(0, MAX_ANSWER_CHARS) + "…";
    }
}
