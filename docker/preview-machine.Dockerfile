# The image every preview machine runs: preview-runtime (plain Java, no framework) and Node 20 for the
# projects' dev servers. Build from the repository root:
#   docker build -f docker/preview-machine.Dockerfile -t registry.fly.io/velocity-previews:<tag> .
# The provisioner's Fly driver passes the project as PREVIEW_BUNDLE_B64 and sets PREVIEW_SESSION_ID,
# PREVIEW_PROJECT_ID, PREVIEW_PORT, PREVIEW_BIND and PREVIEW_WORK_DIR; the defaults below match its defaults.
# PREVIEW_REPLAY_STATE (the router's velocity.router.fly.replay-state) is a secret of the preview app
# (fly secrets set -a velocity-previews ...), which Fly hands to every machine of the app; never put it here.
# The templates' dependencies are installed into the runtime's store at build time, so a session of a template
# starts its dev server without running npm (a project with another lockfile installs once per machine).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# install, not package: the second run (this module alone) resolves platform-core from the local repository
RUN mvn -B -ntp -DskipTests -pl preview-runtime -am install \
 && mkdir -p /out/lib \
 && cp preview-runtime/target/preview-runtime-*.jar /out/lib/ \
 && mvn -B -ntp -pl preview-runtime dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory=/out/lib

# Node's image as the base and Temurin's JRE copied in, as Temurin documents for other base images:
# one glibc for both, and npm where dev servers expect it.
FROM node:20-bookworm-slim
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=eclipse-temurin:17-jre ${JAVA_HOME} ${JAVA_HOME}
COPY --from=build /out/lib /app/lib
# A class-data archive of the runtime's own classes, made by the runtime's training main (it runs the runtime's main
# on a one-file project, asks for its /health and its page, and exits; the JVM writes the archive as it exits) with
# the entrypoint's JVM options: a machine then maps them instead of loading and verifying them, which starts it
# sooner and keeps it smaller (docs/benchmarks.md, scenario 11). The second command fails the build on an archive
# the JVM cannot map. At every start the JVM checks the archive against its class path and runs without it, with a
# warning, if they differ; the local driver makes the same archive for its machines (ClassDataArchive).
RUN java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:MaxRAMPercentage=40 -XX:-UsePerfData \
        -XX:ArchiveClassesAtExit=/app/runtime.jsa -cp "/app/lib/*" dev.velocitypreview.runtime.ClassDataTraining \
 && java -Xshare:on -XX:SharedArchiveFile=/app/runtime.jsa -cp "/app/lib/*" -version
# the templates' lockfiles are made with npm 11
RUN npm install -g --no-audit --no-fund npm@11 \
 && useradd --system --uid 10001 --home-dir /srv/preview preview \
 && mkdir -p /srv/preview /srv/preview-deps \
 && chown preview /srv/preview /srv/preview-deps
USER preview
# Fly's private network is IPv6: listen on every address, not just loopback (the runtime's own default).
# The store is on the work directory's file system and owned by the runtime's user: projects get their
# node_modules as hard links into it, which the kernel allows only to the files' owner (protected_hardlinks).
ENV PREVIEW_BIND=:: \
    PREVIEW_PORT=8080 \
    PREVIEW_WORK_DIR=/srv/preview \
    PREVIEW_DEPS_CACHE=/srv/preview-deps
# One store entry per template, laid out as the runtime's DependencyStore writes them:
# <store>/<key>/{package.json,package-lock.json,node_modules}, the key being the sha256 of what
# `sha256sum package.json package-lock.json` prints in the project (DependencyStoreTest checks they agree).
COPY --chown=preview templates/src/main/resources/templates /tmp/templates
RUN set -e; \
    for template in /tmp/templates/*/; do \
      key=$(cd "${template}" && sha256sum package.json package-lock.json | sha256sum | cut -d ' ' -f 1); \
      mkdir "${PREVIEW_DEPS_CACHE}/${key}"; \
      cp "${template}package.json" "${template}package-lock.json" "${PREVIEW_DEPS_CACHE}/${key}/"; \
      (cd "${PREVIEW_DEPS_CACHE}/${key}" && npm_config_update_notifier=false npm ci --no-audit --no-fund); \
    done; \
    rm -rf /tmp/templates /srv/preview/.npm
EXPOSE 8080
# Small machines (256 MB) start in well under a second: one GC thread, C1 only, a heap that leaves room for Node,
# no shared-memory performance counters.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:MaxRAMPercentage=40", "-XX:-UsePerfData", \
            "-XX:SharedArchiveFile=/app/runtime.jsa", \
            "-cp", "/app/lib/*", "dev.velocitypreview.runtime.PreviewRuntime"]
