package dev.velocitypreview.sessions.api;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;

/**
 * The templates a session may ask for: the {@code templates} module's catalog, and whether a tier's machine is
 * big enough for one.
 */
@Component
class SessionTemplates {

    private final TemplateCatalog catalog;

    SessionTemplates() {
        this(TemplateCatalog.builtIn());
    }

    SessionTemplates(TemplateCatalog catalog) {
        this.catalog = catalog;
    }

    List<Template> all() {
        return catalog.all();
    }

    /**
     * The template named, or {@link TemplateCatalog#DEFAULT} when the request names none.
     *
     * @throws ApiProblem 400 {@code unknown_template} naming the known templates
     */
    Template named(@Nullable String name) {
        String wanted = name == null ? TemplateCatalog.DEFAULT : name;
        return catalog.named(wanted).orElseThrow(() -> ApiProblem.badRequest("unknown_template",
                        "unknown template " + SessionId.quote(wanted) + "; known templates are " + String.join(", ", names()))
                .field(CreateSessionRequest.TEMPLATE).with("knownTemplates", names()));
    }

    /**
     * Refuses a template whose minimum machine the tier's machine does not reach (less memory or fewer cpus):
     * a 403, like a tier above the caller's, as a higher tier would be granted it; the request itself is
     * well-formed.
     *
     * @throws ApiProblem 403 {@code template_needs_larger_machine} naming the template, its minimum and the
     *                    tier's machine
     */
    static void requireFits(Template template, Tier tier, MachineSize machine) {
        MachineSize minimum = template.minimumMachine();
        if (minimum == null || (machine.memoryMb() >= minimum.memoryMb() && machine.cpus() >= minimum.cpus())) {
            return;
        }
        throw ApiProblem.forbidden("template_needs_larger_machine", "template '" + template.name() + "' needs at least a "
                        + minimum.wireName() + " machine; the " + tier.wireName() + " tier grants " + machine.wireName()
                        + " (a tier whose machine is at least that large can use it)")
                .field(CreateSessionRequest.TEMPLATE).with("template", template.name())
                .with("minimumMachine", minimum.wireName()).with("tier", tier.wireName())
                .with("tierMachine", machine.wireName());
    }

    private List<String> names() {
        return catalog.all().stream().map(Template::name).toList();
    }
}
