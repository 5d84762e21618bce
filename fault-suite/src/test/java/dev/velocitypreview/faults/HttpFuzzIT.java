package dev.velocitypreview.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.testkit.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 6: hostile HTTP against every endpoint of the session API and against the router, over a
 * bare socket so nothing is normalized on the way: malformed JSON, wrong types, huge bodies, header
 * injection, odd encodings, path tricks, overlong ids. Nothing answers 5xx, every request is refused
 * with a problem+json that says why, and nothing changes: no command reaches Kafka, no row appears.
 */
class HttpFuzzIT {

    private static FaultPlatform platform;

    @BeforeAll
    static void platform() {
        platform = FaultPlatform.shared();
        platform.ensureStandard();
    }

    /** One hostile request: where it goes, its request line and headers, its body. */
    private record Case(String name, String target, String head, byte[] body) {
    }

    @Test
    void hostileRequestsNeverGetA5xxNorA2xxAndChangeNothing() {
        long started = System.nanoTime();
        long commandsBefore = platform.endOffsets(Topics.SESSION_COMMANDS.name());
        int rowsBefore = platform.rows().size();

        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new LinkedHashMap<>();
        List<Case> cases = cases();
        for (Case fuzz : cases) {
            RawHttp.Answer answer = send(fuzz);
            statuses.merge(answer.status(), 1, Integer::sum);
            if (answer.status() < 400 || answer.status() >= 500) {
                failures.add(describe(fuzz, answer, "not a 4xx"));
            }
        }
        assertThat(failures).as("requests not refused with a 4xx").isEmpty();
        assertThat(platform.endOffsets(Topics.SESSION_COMMANDS.name())).as("commands published").isEqualTo(commandsBefore);
        assertThat(platform.rows()).as("session rows").hasSize(rowsBefore);

        Audit.Report report = Audit.run(platform);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("requests", cases.size());
        figures.put("statuses", statuses);
        figures.put("commands published", platform.endOffsets(Topics.SESSION_COMMANDS.name()) - commandsBefore);
        figures.putAll(report.figures());
        figures.put("scenario s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        platform.figures("6 http fuzz", figures);
    }

    @Test
    void everyRefusalIsAProblemThatExplainsItself() {
        List<String> failures = new ArrayList<>();
        for (Case fuzz : cases()) {
            RawHttp.Answer answer = send(fuzz);
            String verdict = judge(answer);
            if (verdict != null) {
                failures.add(describe(fuzz, answer, verdict));
            }
        }
        assertThat(failures).as("requests not refused with an explaining problem+json").isEmpty();
    }

    private static RawHttp.Answer send(Case fuzz) {
        int port = fuzz.target().equals("api") ? platform.apiPort : platform.routerPorts.get(fuzz.target());
        return RawHttp.send(port, fuzz.head(), fuzz.body());
    }

    private static String describe(Case fuzz, RawHttp.Answer answer, String verdict) {
        return fuzz.target() + " / " + fuzz.name() + ": " + verdict + " (" + answer.status() + " "
                + answer.contentType() + " " + abbreviate(answer.body()) + ")";
    }

    /** Null when the answer is a 4xx problem+json with a detail; otherwise what is wrong with it. */
    private static String judge(RawHttp.Answer answer) {
        if (answer.status() < 400 || answer.status() >= 500) {
            return "not a 4xx";
        }
        if (!answer.contentType().startsWith("application/problem+json")) {
            return "not problem+json";
        }
        if (!answer.body().contains("\"detail\"")) {
            return "no detail";
        }
        if (answer.head().toLowerCase().contains("\r\ninjected:") || answer.head().toLowerCase().contains("\r\nset-cookie: x=")) {
            return "an injected header came back";
        }
        return null;
    }

    private static List<Case> cases() {
        String auth = auth("fuzz-user");
        String json = "Content-Type: application/json";
        UUID project = UUID.randomUUID();
        String valid = "{\"projectId\":\"" + project + "\"}";
        List<Case> cases = new ArrayList<>();
        // the session API: POST /v1/sessions
        cases.add(post("malformed json", auth + json, "{\"projectId\":"));
        cases.add(post("projectId a number", auth + json, "{\"projectId\":42}"));
        cases.add(post("projectId an object", auth + json, "{\"projectId\":{\"$gt\":\"\"}}"));
        cases.add(post("body an array", auth + json, "[\"" + project + "\"]"));
        cases.add(post("body a string", auth + json, "\"" + project + "\""));
        cases.add(post("unknown field", auth + json, "{\"projectId\":\"" + project + "\",\"admin\":true}"));
        cases.add(post("duplicate field", auth + json, "{\"projectId\":\"" + project + "\",\"projectId\":\"" + project + "\"}"));
        cases.add(post("trailing garbage", auth + json, valid + "}{"));
        cases.add(post("ttl negative", auth + json, "{\"projectId\":\"" + project + "\",\"ttl\":-5}"));
        cases.add(post("ttl absurd", auth + json, "{\"projectId\":\"" + project + "\",\"ttl\":\"P99999D\"}"));
        cases.add(post("ttl a huge number", auth + json, "{\"projectId\":\"" + project + "\",\"ttl\":1e308}"));
        cases.add(post("tier unknown", auth + json, "{\"projectId\":\"" + project + "\",\"tier\":\"galactic\"}"));
        cases.add(post("visibility unknown", auth + json, "{\"projectId\":\"" + project + "\",\"visibility\":\"secret\"}"));
        cases.add(post("deeply nested", auth + json, "{\"projectId\":" + "[".repeat(5000) + "]".repeat(5000) + "}"));
        cases.add(post("invalid utf-8", auth + json, new byte[] {'{', '"', 'p', 'r', 'o', 'j', 'e', 'c', 't', 'I', 'd',
                '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'}));
        cases.add(post("nul in value", auth + json, "{\"projectId\":\"" + project + "\\u0000\"}"));
        cases.add(post("empty body", auth + json, ""));
        cases.add(post("huge body (2 MB)", auth + json, "{\"projectId\":\"" + project + "\",\"x\":\"" + "a".repeat(2_000_000) + "\"}"));
        cases.add(post("text/plain", auth + "Content-Type: text/plain", valid));
        cases.add(post("form encoded", auth + "Content-Type: application/x-www-form-urlencoded", "projectId=" + project));
        cases.add(post("utf-7 charset", auth + "Content-Type: application/json; charset=UTF-7", "+AHsAIg-projectId+ACI-"));
        cases.add(post("no credentials", json, valid));
        cases.add(post("garbage bearer token", "Authorization: Bearer not.a.token\r\n" + json, valid));
        cases.add(post("token with alg none", "Authorization: Bearer " + unsigned() + "\r\n" + json, valid));
        cases.add(post("idempotency key with control characters", auth + "Idempotency-Key: a\u0001b\r\n" + json, valid));
        cases.add(post("idempotency key overlong", auth + "Idempotency-Key: " + "k".repeat(1000) + "\r\n" + json, valid));
        cases.add(post("user id header injection", "X-User-Id: fuzz\rInjected: yes\r\n" + json, valid));
        cases.add(new Case("wrong method PUT", "api", "PUT /v1/sessions HTTP/1.1\r\nHost: localhost\r\n" + auth + json
                + "\r\nContent-Length: " + valid.length(), valid.getBytes(StandardCharsets.UTF_8)));
        cases.add(new Case("bad chunked body", "api", "POST /v1/sessions HTTP/1.1\r\nHost: localhost\r\n" + auth + json
                + "\r\nTransfer-Encoding: chunked", "zz\r\nnope\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        // the session API: reads and deletes
        for (String method : List.of("GET", "DELETE")) {
            cases.add(api(method, "/v1/sessions/not-a-uuid", auth));
            cases.add(api(method, "/v1/sessions/" + "f".repeat(4000), auth));
            cases.add(api(method, "/v1/sessions/" + UUID.randomUUID() + "%00", auth));
            cases.add(api(method, "/v1/sessions/..%2f..%2fadmin%2fsessions", auth));
            cases.add(api(method, "/v1/sessions/%2e%2e", auth));
            cases.add(api(method, "/v1/sessions/" + UUID.randomUUID() + "'%20OR%201=1--", auth));
            cases.add(api(method, "/v1/sessions/%F0%9F%92%A5", auth));
            cases.add(api(method, "/v1/sessions/" + UUID.randomUUID(), ""));
        }
        cases.add(api("DELETE", "/v1/sessions/" + UUID.randomUUID(), auth));
        cases.add(api("GET", "/v1/sessions?limit=-1", auth));
        cases.add(api("GET", "/v1/sessions?limit=abc", auth));
        cases.add(api("GET", "/v1/sessions?limit=99999999999999999999", auth));
        cases.add(api("GET", "/v1/sessions?status=EXPLODED", auth));
        cases.add(api("GET", "/v1/sessions?status=%00", auth));
        cases.add(api("GET", "/v1/admin/sessions", auth));
        cases.add(api("DELETE", "/v1/admin/sessions/" + UUID.randomUUID(), auth));
        cases.add(api("GET", "/v1/admin/sessions?user=%0d%0aInjected:%20yes", auth));
        cases.add(api("GET", "/v1/nothing-here", auth));
        // the router
        for (String path : List.of("/s/..%2f", "/s/..%2f..%2factuator%2fhealth", "/s/%00/", "/s/" + "a".repeat(300) + "/",
                "/s/not-a-uuid/", "/s/" + UUID.randomUUID().toString().toUpperCase().replace('-', '_') + "/",
                "/s/%2e%2e/%2e%2e/actuator/env", "/s/" + UUID.randomUUID() + "%0d%0aSet-Cookie:%20x=y/",
                "/s/%F0%9F%92%A5/", "/s/{id}/", "/s/" + UUID.randomUUID() + "x/")) {
            cases.add(new Case("path " + abbreviate(path), "r1", "GET " + path + " HTTP/1.1\r\nHost: localhost", new byte[0]));
        }
        for (String host : List.of("not-a-uuid.preview.localhost", "%00.preview.localhost",
                "a".repeat(300) + ".preview.localhost", UUID.randomUUID() + "x.preview.localhost")) {
            cases.add(new Case("host " + abbreviate(host), "r1", "GET / HTTP/1.1\r\nHost: " + host, new byte[0]));
        }
        cases.add(new Case("host header injection", "r1", "GET /s/not-a-uuid/ HTTP/1.1\r\nHost: x\rInjected: yes",
                new byte[0]));
        return cases;
    }

    private static Case post(String name, String headers, String body) {
        return post(name, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Case post(String name, String headers, byte[] body) {
        return new Case(name, "api", "POST /v1/sessions HTTP/1.1\r\nHost: localhost\r\n" + headers
                + "\r\nContent-Length: " + body.length, body);
    }

    private static Case api(String method, String path, String headers) {
        String head = method + " " + path + " HTTP/1.1\r\nHost: localhost" + (headers.isEmpty() ? "" : "\r\n"
                + headers.substring(0, headers.length() - 2));
        return new Case(method + " " + abbreviate(path), "api", head, new byte[0]);
    }

    /** Header lines that authenticate {@code user}, each ending in CRLF. */
    private static String auth(String user) {
        StringBuilder lines = new StringBuilder();
        Credentials.headersFor(user).forEach((name, value) -> lines.append(name).append(": ").append(value).append("\r\n"));
        return lines.toString();
    }

    /** A token that claims no signature is needed. */
    private static String unsigned() {
        String token = Credentials.token("fuzz-admin", java.util.List.of("admin"));
        String header = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        return header + token.substring(token.indexOf('.'), token.lastIndexOf('.') + 1);
    }

    private static String abbreviate(String text) {
        String line = text.replace("\r", "\\r").replace("\n", "\\n");
        return line.length() <= 60 ? line : line.substring(0, 57) + "...";
    }
}
