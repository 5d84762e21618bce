package dev.velocitypreview.sessions.api;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.velocitypreview.templates.Template;

/** {@code GET /v1/templates}: what {@code POST /v1/sessions} may name as its {@code template}; any authenticated caller. */
@RestController
class TemplateController {

    private final SessionTemplates templates;

    TemplateController(SessionTemplates templates) {
        this.templates = templates;
    }

    @GetMapping("/v1/templates")
    Templates list() {
        return new Templates(templates.all().stream().map(TemplateSummary::of).toList());
    }

    /** The templates, in the catalog's order (the default first). */
    record Templates(List<TemplateSummary> templates) {
    }

    /**
     * One template, without its files.
     *
     * @param versions       its direct dependencies, package to exact version
     * @param mainFile       the file that holds its main component, such as {@code src/App.jsx}
     * @param minimumMachine the smallest machine it runs on ({@code shared-cpu-1x:1024MB}); null when any tier's fits
     */
    record TemplateSummary(String name, String description, String framework, Map<String, String> versions,
                           String mainFile, @Nullable String minimumMachine) {

        static TemplateSummary of(Template template) {
            return new TemplateSummary(template.name(), template.description(), template.framework(),
                    template.versions(), template.mainFile(),
                    template.minimumMachine() == null ? null : template.minimumMachine().wireName());
        }
    }
}
