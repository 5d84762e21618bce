package dev.velocitypreview.sessions.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

import dev.velocitypreview.boot.problem.ProblemRenderer;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.PathParameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/**
 * The OpenAPI 3.1 document at {@code GET /v3/api-docs}, read by springdoc from the controllers; what it cannot read
 * from them is added here: the bearer token, the problem every refusal is ({@link ProblemRenderer}), and the bodies
 * the handlers parse themselves (strictly, field by field, so they take the raw request rather than a bound record).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiDocument {

    static final String PROBLEM = "Problem";
    static final String PROBLEM_REF = "#/components/schemas/" + PROBLEM;
    static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    private static final String BEARER = "bearer";
    /** A handler's {@code /**}: the files API takes a file's path as the rest of the URL, written {@code {path}} here. */
    private static final String REST_OF_PATH = "/**";
    private static final String FILE_PATH = "path";

    /** Statuses every operation may answer with; writes add {@link #WRITE_REFUSALS}. */
    private static final Map<HttpStatus, String> REFUSALS = refusals(
            HttpStatus.BAD_REQUEST, "malformed input: the problem's code and field name what was wrong",
            HttpStatus.UNAUTHORIZED, "no bearer token, or one that does not verify",
            HttpStatus.FORBIDDEN, "the token lacks the role (admin endpoints) or the tier asked for",
            HttpStatus.NOT_FOUND, "no such resource, or one that is not the caller's (as unknown as a missing one)",
            HttpStatus.SERVICE_UNAVAILABLE, "the view is still loading, behind, or a dependency is down; see Retry-After");
    private static final Map<HttpStatus, String> WRITE_REFUSALS = refusals(
            HttpStatus.CONFLICT, "the request conflicts with the current state (an ended session, a stale version, "
                    + "a reused Idempotency-Key)",
            HttpStatus.PRECONDITION_FAILED, "If-Match (or a batch's ifMatch) names another version than the file's",
            HttpStatus.PAYLOAD_TOO_LARGE, "the body is larger than the configured limit",
            HttpStatus.UNSUPPORTED_MEDIA_TYPE, "the body is not of a type the endpoint takes",
            HttpStatus.UNPROCESSABLE_CONTENT, "well-formed but refused by a rule (a ttl above the tier's cap, a template "
                    + "that does not fit the tier, a file the provisioner refused)",
            HttpStatus.TOO_MANY_REQUESTS, "the tier's concurrent-session limit is reached");

    @Bean
    OpenAPI sessionApiDocument() {
        return new OpenAPI()
                .info(new Info().title("Velocity Preview session API").version("v1")
                        .description("Sessions (previews of a project), their event streams, project files, templates "
                                + "and operators' endpoints. Every refusal is an RFC 9457 problem "
                                + "(application/problem+json) with a stable code and a type of "
                                + "urn:velocity-preview:problem:<code with dashes>. See docs/api.md."))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .bearerFormat("JWT")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
    }

    @Bean
    OpenApiCustomizer sessionApiProblemsAndBodies() {
        return document -> {
            // here rather than in the OpenAPI bean, whose schemas springdoc replaces with those it found
            document.getComponents().addSchemas(PROBLEM, problemSchema());
            Paths documented = new Paths();
            document.getPaths().forEach((path, item) -> {
                item.readOperationsMap().forEach((method, operation) -> {
                    boolean write = method == PathItem.HttpMethod.POST || method == PathItem.HttpMethod.PUT
                            || method == PathItem.HttpMethod.DELETE;
                    addProblems(operation, REFUSALS);
                    if (write) {
                        addProblems(operation, WRITE_REFUSALS);
                    }
                    RequestBody body = bodyOf(method, path);
                    if (body != null) {
                        operation.setRequestBody(body);
                    }
                    if (path.endsWith(REST_OF_PATH)) {
                        operation.addParametersItem(new PathParameter().name(FILE_PATH).required(true)
                                .description("the file's path in the project, slashes included (src/App.jsx)")
                                .schema(typed("string")));
                    }
                });
                documented.addPathItem(path.endsWith(REST_OF_PATH)
                        ? path.substring(0, path.length() - REST_OF_PATH.length()) + "/{" + FILE_PATH + "}" : path, item);
            });
            document.setPaths(documented);
        };
    }

    private static @Nullable RequestBody bodyOf(PathItem.HttpMethod method, String path) {
        if (method == PathItem.HttpMethod.POST && path.equals("/v1/sessions")) {
            return json(typed("object").addRequiredItem(CreateSessionRequest.PROJECT_ID)
                    .addProperty(CreateSessionRequest.PROJECT_ID, typed("string").format("uuid"))
                    .addProperty(CreateSessionRequest.TEMPLATE, typed("string")
                            .description("a template's name (GET /v1/templates); the default template when absent"))
                    .addProperty(CreateSessionRequest.TIER, text()._enum(List.of("free", "pro", "team"))
                            .description("the caller's tier or a lower one; the caller's when absent"))
                    .addProperty(CreateSessionRequest.VISIBILITY, text()
                            ._enum(List.of("private", "public")).description("the configured default when absent"))
                    .addProperty(CreateSessionRequest.TTL, ttlSchema().description(
                            "how long the session lives; the tier's cap when absent")));
        }
        if (method == PathItem.HttpMethod.POST && path.endsWith("/extend")) {
            return json(typed("object").addRequiredItem(RequestedTtl.FIELD)
                    .addProperty(RequestedTtl.FIELD, ttlSchema().description("how long from now the session should live")));
        }
        if (method == PathItem.HttpMethod.POST && path.endsWith("/files:batch")) {
            Schema<?> ifMatch = new Schema<>().types(Set.of("integer", "string"))
                    .description("the version the change expects, as a number or as the ETag text \"\\\"3\\\"\"");
            return json(typed("object")
                    .addProperty("writes", typed("array").items(typed("object")
                            .addRequiredItem("path").addRequiredItem("content")
                            .addProperty("path", typed("string"))
                            .addProperty("content", typed("string")).addProperty("ifMatch", ifMatch)))
                    .addProperty("deletes", typed("array").items(typed("object")
                            .addRequiredItem("path").addProperty("path", typed("string"))
                            .addProperty("ifMatch", ifMatch))));
        }
        if (method == PathItem.HttpMethod.PUT && path.startsWith("/v1/projects/")) {
            return new RequestBody().required(true).description("the file's content, taken as it is, whatever its type")
                    .content(new Content().addMediaType("*/*", new MediaType().schema(
                            typed("string").format("binary"))));
        }
        return null;
    }

    /** OpenAPI 3.1 types are a set (JSON Schema); a 3.1 document leaves out the single {@code type} of 3.0. */
    private static Schema<?> typed(String type) {
        return new Schema<>().types(Set.of(type));
    }

    /** A string schema that takes an enumeration. */
    private static Schema<String> text() {
        Schema<String> schema = new Schema<>();
        schema.setTypes(Set.of("string"));
        return schema;
    }

    private static Schema<?> ttlSchema() {
        return new Schema<>().types(Set.of("string", "integer"))
                .description("an ISO-8601 duration (\"PT30M\") or whole seconds, at least a minute");
    }

    private static RequestBody json(Schema<?> schema) {
        return new RequestBody().required(true).content(new Content().addMediaType(
                org.springframework.http.MediaType.APPLICATION_JSON_VALUE, new MediaType().schema(schema)));
    }

    private static void addProblems(Operation operation, Map<HttpStatus, String> refusals) {
        refusals.forEach((status, description) -> {
            String code = Integer.toString(status.value());
            if (operation.getResponses() != null && !operation.getResponses().containsKey(code)) {
                operation.getResponses().addApiResponse(code, new ApiResponse().description(description)
                        .content(new Content().addMediaType(PROBLEM_JSON, new MediaType().schema(
                                new Schema<>().$ref(PROBLEM_REF)))));
            }
        });
    }

    /** What {@link ProblemRenderer} writes; members a problem does not carry are left out of it. */
    private static Schema<?> problemSchema() {
        return typed("object").description("An RFC 9457 problem; a refusal may add members of its own "
                        + "(limit, usage, currentVersion, ...)")
                .addRequiredItem("type").addRequiredItem("status").addRequiredItem("code")
                .addProperty("type", typed("string").format("uri")
                        .pattern("^" + typePrefix() + "[a-z0-9-]+$")
                        .example(ProblemRenderer.type("not_found").toString()))
                .addProperty("title", typed("string"))
                .addProperty("status", typed("integer"))
                .addProperty("detail", typed("string").description("what was wrong, for a person"))
                .addProperty("instance", typed("string").format("uri-reference"))
                .addProperty("code", typed("string").description("stable, machine-readable reason"))
                .addProperty("field", typed("string").description("the input the refusal is about"))
                .additionalProperties(true);
    }

    /** {@link ProblemRenderer}'s prefix, read from a type it makes so that it is written in one place. */
    private static String typePrefix() {
        String type = ProblemRenderer.type("a").toString();
        return type.substring(0, type.length() - 1);
    }

    private static Map<HttpStatus, String> refusals(Object... statusAndDescription) {
        Map<HttpStatus, String> out = new LinkedHashMap<>();
        for (int i = 0; i < statusAndDescription.length; i += 2) {
            out.put((HttpStatus) statusAndDescription[i], (String) statusAndDescription[i + 1]);
        }
        return out;
    }
}
