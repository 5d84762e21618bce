package dev.velocitypreview.templates;

import dev.velocitypreview.core.session.MachineSize;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A project template: a complete npm project a new project starts from.
 *
 * @param name           the catalog's key, lower-case ({@code react}, {@code vue}, ...)
 * @param description    one line for people choosing a template
 * @param framework      the framework and its tooling, for display ({@code React 19 on Vite 7})
 * @param mainFile       the path of the file to edit first (the main component), one of {@code files}
 * @param versions       the direct dependencies of its {@code package.json}: package name to exact version,
 *                       in the order {@code package.json} lists them
 * @param minimumMachine the smallest machine its dev server runs on; {@code null} when any tier's machine fits
 * @param files          every file of the project, in the catalog's order
 */
public record Template(String name, String description, String framework, String mainFile,
                       Map<String, String> versions, @Nullable MachineSize minimumMachine,
                       List<TemplateFile> files) {

    public Template {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(description, "description == null");
        Objects.requireNonNull(framework, "framework == null");
        Objects.requireNonNull(mainFile, "mainFile == null");
        versions = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(versions, "versions == null")));
        files = List.copyOf(Objects.requireNonNull(files, "files == null"));
        if (files.stream().noneMatch(file -> file.path().equals(mainFile))) {
            throw new IllegalArgumentException("template '" + name + "': main file '" + mainFile + "' is not one of its files");
        }
    }
}
