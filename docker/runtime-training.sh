#!/bin/sh
# Writes a class-data archive of preview-runtime's classes to $1: starts the runtime with the image's JVM options
# on a one-file project, asks for its page and /health, and stops it; the JVM writes the archive as it exits.
# Run by docker/preview-machine.Dockerfile at build time; needs java and node on the PATH and the jars in
# ${PREVIEW_LIB:-/app/lib}.
set -eu
archive="$1"
lib="${PREVIEW_LIB:-/app/lib}"
work="$(mktemp -d)"
cat > "${work}/bundle.json" <<'JSON'
{"sessionId":"00000000-0000-4000-8000-000000000000","projectId":"00000000-0000-4000-8000-000000000001","files":[{"path":"index.html","content":"<p>training</p>","directory":false}]}
JSON
java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:MaxRAMPercentage=40 -XX:ArchiveClassesAtExit="${archive}" \
    -cp "${lib}/*" dev.velocitypreview.runtime.PreviewRuntime --port=0 --bind=127.0.0.1 \
    --work-dir="${work}/project" --bundle="${work}/bundle.json" --port-file="${work}/port" &
runtime=$!
tries=0
until [ -s "${work}/port" ]; do
    tries=$((tries + 1))
    if [ "${tries}" -gt 600 ] || ! kill -0 "${runtime}" 2>/dev/null; then
        echo "runtime-training: the runtime did not start" >&2
        exit 1
    fi
    sleep 0.1
done
PORT="$(cat "${work}/port")" node -e '
const base = "http://127.0.0.1:" + process.env.PORT;
(async () => {
  for (let i = 0; i < 100; i++) {
    const health = await fetch(base + "/health");
    if (health.status === 200) break;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  for (let i = 0; i < 20; i++) await (await fetch(base + "/index.html")).text();
})().catch(error => { console.error("runtime-training: " + error); process.exit(1); });'
kill -TERM "${runtime}"
wait "${runtime}" || true
rm -rf "${work}"
test -s "${archive}"
