#!/usr/bin/env bash
# Build the production image's contents without a Docker engine (issue 17): infra/Dockerfile's two stages
# performed for real in a Debian bookworm root filesystem made with debootstrap, the app then run inside it
# (migrate, serve, /healthz on loopback), the result packed as an OCI image with umoci, and that image run
# with runc (its own CMD, in its own network namespace).
#
#   sudo infra/build-rootfs.sh            # needs root (debootstrap, chroot, mounts), node+npm, network
#                                         # to the Debian archive, PyPI and npm; ~6 min the first time
#
# Everything is written under $PORTAL_IMAGE_CACHE (default ~/.cache/sbs-portal-image), never the repo:
#   base/      debootstrap's bookworm (cached; rebuilt when the package list below changes)
#   assets/    the assets stage: `npm ci && npm run build` in a clean copy (cached on its inputs)
#   rootfs/    the runtime stage, rebuilt every run from base/ + a clean copy of the tracked sources
#   oci/       the OCI image layout (tag sbs-portal:rootfs), sbs-portal.tar a `docker load`-able archive
# Set DEBIAN_MIRROR to use a mirror other than debootstrap's default. Not part of the test suite.
# What differs from a real `docker build` of infra/Dockerfile is listed in infra/README.md.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${PORTAL_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sbs-portal-image}"
SUITE=bookworm
# The runtime stage's system packages: Python 3.11 + venv (the base image's Python), CA certificates,
# time zones, /etc/services, and DejaVu for the Latvian letters in invoice PDFs (as in the Dockerfile).
PACKAGES=python3,python3-venv,ca-certificates,tzdata,netbase,fonts-dejavu-core
PORT="${PORTAL_IMAGE_TEST_PORT:-18080}"
TAG=rootfs
ROOTFS="$CACHE/rootfs"
START=$(date +%s)

say() { printf '• [%4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
die() { printf '✗ %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mounts need it)"
for tool in debootstrap chroot node npm git; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install debootstrap nodejs npm git; umoci skopeo runc to pack and run)"
done
mkdir -p "$CACHE"

# ---------------------------------------------------------------- mounts, always undone
MOUNTS=()
CONTAINER=""
cleanup() {
  local pid
  if [ -n "$CONTAINER" ]; then runc delete --force "$CONTAINER" 2>/dev/null || true; CONTAINER=""; fi
  for pid in $(chroot_pids); do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in $(chroot_pids); do kill -9 "$pid" 2>/dev/null || true; done
  for (( i=${#MOUNTS[@]}-1; i>=0; i-- )); do umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" || true; done
  MOUNTS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The processes whose root is our rootfs (the app and the servers it started) — ours, by their pid.
chroot_pids() {
  local proc root
  for proc in /proc/[0-9]*; do
    root="$(readlink "$proc/root" 2>/dev/null)" || continue
    [ "$root" = "$ROOTFS" ] && echo "${proc#/proc/}"
  done
  return 0
}
unmount_leftovers() {  # a run killed before its trap ran: never rm -rf through a bind mount of /dev
  local mount
  awk -v root="$ROOTFS" '$2 == root || index($2, root "/") == 1 {print $2}' /proc/mounts | sort -r |
    while read -r mount; do umount -l "$mount"; done
  if grep -q " $ROOTFS/" /proc/mounts; then die "still mounted under $ROOTFS"; fi
}
mount_into() {  # mount_into ROOT: /proc, /dev (and /dev/shm for PostgreSQL), resolv.conf for the build
  mount -t proc proc "$1/proc"; MOUNTS+=("$1/proc")
  mount --rbind /dev "$1/dev"; mount --make-rslave "$1/dev"; MOUNTS+=("$1/dev")
}

# ---------------------------------------------------------------- 1. base: Debian bookworm
base_stamp="$CACHE/base/.sbs-base-$(echo "$SUITE $PACKAGES" | sha256sum | cut -c1-12)"
if [ ! -f "$base_stamp" ]; then
  say "debootstrap $SUITE (minbase + $PACKAGES) into $CACHE/base — a few minutes"
  rm -rf "$CACHE/base.tmp" "$CACHE/base"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$CACHE/base.tmp" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"} \
    > "$CACHE/debootstrap.log" 2>&1 || die "debootstrap failed, see $CACHE/debootstrap.log"
  chroot "$CACHE/base.tmp" apt-get clean
  rm -rf "$CACHE/base.tmp/var/lib/apt/lists/"*
  mv "$CACHE/base.tmp" "$CACHE/base"; touch "$base_stamp"
else
  say "Base $SUITE root filesystem: cached ($CACHE/base)"
fi

# ---------------------------------------------------------------- clean copy of the tracked sources
say "Clean copy of the tracked sources (no .venv, node_modules, built assets or .mo files)"
rm -rf "$CACHE/src"; mkdir -p "$CACHE/src"
(cd "$REPO" && git ls-files -z --cached | tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$CACHE/src"

# ---------------------------------------------------------------- 2. the assets stage
assets_key="$( (cd "$CACHE/src" && tar -cf - package.json package-lock.json portal/frontend --sort=name --mtime=@0 --owner=0 --group=0) | sha256sum | cut -c1-12)"
if [ ! -f "$CACHE/assets/.sbs-assets-$assets_key" ]; then
  node_major="$(node --version | sed 's/^v\([0-9]*\).*/\1/')"
  [ "$node_major" = 20 ] || say "note: this host's Node is $(node --version); the Dockerfile's assets stage uses Node 20"
  say "Assets stage with the host's Node $(node --version): npm ci && npm run build in $CACHE/assets"
  rm -rf "$CACHE/assets"; mkdir -p "$CACHE/assets/portal"
  cp "$CACHE/src/package.json" "$CACHE/src/package-lock.json" "$CACHE/assets/"
  (cd "$CACHE/assets" && npm ci --no-audit --no-fund --loglevel=error)
  cp -r "$CACHE/src/portal/frontend" "$CACHE/assets/portal/frontend"
  (cd "$CACHE/assets" && npm run --silent build)
  touch "$CACHE/assets/.sbs-assets-$assets_key"
else
  say "Assets stage: cached ($CACHE/assets)"
fi

# ---------------------------------------------------------------- 3. the runtime stage
say "Runtime stage: fresh $ROOTFS from the base"
unmount_leftovers
rm -rf --one-file-system "$ROOTFS"; cp -a "$CACHE/base" "$ROOTFS"; rm -f "$ROOTFS"/.sbs-base-*
mkdir -p "$ROOTFS/app/portal/frontend/static"
cp "$CACHE/src/pyproject.toml" "$CACHE/src/README.md" "$ROOTFS/app/"
cp -r "$CACHE/src/portal" "$ROOTFS/app/"
cp -r "$CACHE/assets/portal/frontend/static/vendor" "$ROOTFS/app/portal/frontend/static/vendor"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
mount_into "$ROOTFS"
# A TLS-inspecting proxy between this machine and PyPI: hand the host's CA bundle to pip for the build only.
build_ca=""
for ca in "${PIP_CERT:-}" "${SSL_CERT_FILE:-}" "${REQUESTS_CA_BUNDLE:-}"; do
  if [ -n "$ca" ] && [ -f "$ca" ]; then cp "$ca" "$ROOTFS/tmp/build-ca.pem"; build_ca=/tmp/build-ca.pem; break; fi
done
# The image's environment (the Dockerfile's ENV, plus the venv on PATH: see README).
IMAGE_ENV=(PATH=/opt/portal/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
           PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORTAL_HTTPS=1 PORTAL_DATA_DIR=/var/lib/portal)
say "pip install . (from PyPI) into /opt/portal, compile the translations, create the portal user (uid 999)"
chroot "$ROOTFS" /usr/bin/env -i "${IMAGE_ENV[@]}" HOME=/root ${build_ca:+PIP_CERT=$build_ca} /bin/sh -euc '
  cd /app
  python3 -m venv /opt/portal
  pip install --no-cache-dir --quiet --disable-pip-version-check .
  python -P -m portal.platform.i18n   # -P: into the installed package, which the portal command imports
  groupadd --system --gid 999 portal
  useradd --system --uid 999 --gid 999 --home /var/lib/portal --shell /usr/sbin/nologin portal
  mkdir -p /var/lib/portal && chown portal:portal /var/lib/portal'
rm -f "$ROOTFS/tmp/build-ca.pem"
: > "$ROOTFS/etc/resolv.conf"  # the runtime supplies its own

# ---------------------------------------------------------------- 4. run the built app inside it
in_image() { chroot --userspec=999:999 "$ROOTFS" /usr/bin/env -i "${IMAGE_ENV[@]}" HOME=/var/lib/portal "$@"; }
say "Smoke test as uid 999: portal --help, import, translations, DejaVu"
in_image sh -c 'cd /app && portal --help' > /dev/null
in_image python -c '
import pathlib, portal
from portal.marketplace.invoicing.pdf import DEJAVU_DIR
package = pathlib.Path(portal.__file__).parent
assert str(package).startswith("/opt/portal/"), package
assert (package / "locale/lv/LC_MESSAGES/django.mo").is_file(), "translations not compiled into the package"
assert (package / "frontend/static/vendor/govuk/portal.min.css").is_file(), "built assets missing"
assert (DEJAVU_DIR / "DejaVuSans.ttf").is_file(), "DejaVu missing: invoice PDFs would lose the Latvian letters"
print("  import portal from", package)'
say "portal migrate against the embedded PostgreSQL (no DATABASE_URL)"
migrate_started=$(date +%s)
in_image portal migrate > "$CACHE/migrate.log" 2>&1 || { tail -20 "$CACHE/migrate.log"; die "portal migrate failed"; }
say "  migrated in $(( $(date +%s) - migrate_started )) s ($(tail -1 "$CACHE/migrate.log"))"
say "portal serve on 127.0.0.1:$PORT (embedded PostgreSQL and Valkey, a worker beside it)"
in_image portal serve --host 127.0.0.1 --port "$PORT" > "$CACHE/serve.log" 2>&1 &
healthz=""
for _ in $(seq 1 90); do
  healthz="$(python3 - "$PORT" <<'EOF' 2>/dev/null
import sys, urllib.error, urllib.request
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/healthz", headers={"X-Forwarded-Proto": "https"})
try:
    response = urllib.request.urlopen(request, timeout=5)
except urllib.error.HTTPError as error:
    response = error
print(response.status, response.read().decode())
EOF
)" && [ "${healthz%% *}" = 200 ] && break
  sleep 1
done
say "  GET /healthz → ${healthz:-no answer}"
asset_status="$(python3 -c "
import urllib.request
r = urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:$PORT/static/vendor/govuk/portal.min.css', headers={'X-Forwarded-Proto': 'https'}), timeout=5)
print(r.status, len(r.read()), 'bytes')" 2>&1 || true)"
say "  GET /static/vendor/govuk/portal.min.css → $asset_status"
echo "$healthz" > "$CACHE/healthz.txt"
cleanup  # stops serve and everything it started, then unmounts
[ "${healthz%% *}" = 200 ] || { tail -30 "$CACHE/serve.log"; die "/healthz did not answer 200"; }
rm -rf "$ROOTFS/var/lib/portal/"* "$ROOTFS/var/lib/portal/".[!.]* 2>/dev/null || true  # no test data in the image
rm -rf "$ROOTFS/tmp/"* "$ROOTFS/root/.cache"
say "Root filesystem: $(du -sh "$ROOTFS" | cut -f1) ($(du -sh "$ROOTFS/opt/portal" | cut -f1) of it the venv)"

# ---------------------------------------------------------------- 5. pack as an OCI image
if ! command -v umoci >/dev/null; then
  say "umoci is missing (apt-get install umoci skopeo): the root filesystem is built, not packed"; exit 0
fi
say "Pack $ROOTFS as an OCI image (umoci: one layer, the Dockerfile's ENV/USER/WORKDIR/EXPOSE/CMD)"
rm -rf "$CACHE/oci"
umoci init --layout "$CACHE/oci"
umoci new --image "$CACHE/oci:$TAG"
umoci insert --image "$CACHE/oci:$TAG" --history.created_by "infra/build-rootfs.sh" "$ROOTFS" / > /dev/null
env_flags=(); for e in "${IMAGE_ENV[@]}"; do env_flags+=(--config.env "$e"); done
umoci config --image "$CACHE/oci:$TAG" "${env_flags[@]}" --config.user 999:999 --config.workingdir /app \
  --config.exposedports 8000/tcp --config.cmd portal --config.cmd serve --config.cmd --host \
  --config.cmd 0.0.0.0 --config.cmd --port --config.cmd 8000 --history.created_by "infra/build-rootfs.sh config"
umoci gc --layout "$CACHE/oci"
say "Unpack the image (umoci unpack: an OCI runtime bundle) and check its runtime config"
rm -rf "$CACHE/bundle"
umoci unpack --image "$CACHE/oci:$TAG" "$CACHE/bundle" > /dev/null
python3 - "$CACHE/bundle/config.json" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
process = config["process"]
assert process["user"]["uid"] == 999 and process["cwd"] == "/app", process
assert process["args"] == ["portal", "serve", "--host", "0.0.0.0", "--port", "8000"], process["args"]
assert "PORTAL_DATA_DIR=/var/lib/portal" in process["env"], process["env"]
assert {"type": "network"} in config["linux"]["namespaces"]  # its own loopback: 0.0.0.0 reaches no one else
print("  runtime config: uid", process["user"]["uid"], "| cwd", process["cwd"], "|", " ".join(process["args"]))
process["terminal"] = False  # detached, output to a file
json.dump(config, open(sys.argv[1], "w"))
EOF
if command -v runc >/dev/null; then
  # The image's own CMD under a real OCI runtime, in its own network namespace (only its loopback).
  CONTAINER="sbs-portal-build-$$"
  say "runc run $CONTAINER: the image's CMD as uid 999 (embedded PostgreSQL and Valkey, migrate on start)"
  (cd "$CACHE" && runc run --detach --bundle "$CACHE/bundle" "$CONTAINER" > "$CACHE/runc.log" 2>&1)
  probe='
import re, sys, urllib.error, urllib.request
request = urllib.request.Request("http://127.0.0.1:8000" + sys.argv[1], headers={"X-Forwarded-Proto": "https", "Host": "localhost"})
try:
    response = urllib.request.urlopen(request, timeout=10)
except urllib.error.HTTPError as error:
    response = error
body = response.read().decode()
print(response.status, body if sys.argv[1] == "/healthz" else re.search(r"<html[^>]*>", body).group(0))'
  container_healthz=""
  for _ in $(seq 1 120); do
    container_healthz="$(runc exec "$CONTAINER" python -c "$probe" /healthz 2>/dev/null)" && break
    sleep 2
  done
  say "  inside the container: GET /healthz → ${container_healthz:-no answer}"
  say "  inside the container: GET / → $(runc exec "$CONTAINER" python -c "$probe" / 2>&1 | tail -1)"
  stop_started=$(date +%s)
  runc kill "$CONTAINER" TERM
  for _ in $(seq 1 60); do runc state "$CONTAINER" 2>/dev/null | grep -q '"running"' || break; sleep 1; done
  say "  SIGTERM: stopped in $(( $(date +%s) - stop_started )) s ($(tail -1 "$CACHE/runc.log"))"
  runc delete --force "$CONTAINER"; CONTAINER=""
  [ "${container_healthz%% *}" = 200 ] || { tail -30 "$CACHE/runc.log"; die "the container's /healthz did not answer 200"; }
else
  say "runc is missing (apt-get install runc): the image is not run under an OCI runtime; its CMD's program:"
  chroot --userspec=999:999 "$CACHE/bundle/rootfs" /usr/bin/env -i "${IMAGE_ENV[@]}" portal --help | head -1
fi
rm -rf "$CACHE/bundle"
if command -v skopeo >/dev/null; then
  skopeo inspect --config "oci:$CACHE/oci:$TAG" > "$CACHE/image-config.json"
  skopeo inspect --raw "oci:$CACHE/oci:$TAG" > "$CACHE/image-manifest.json"
  layer_bytes="$(python3 -c "
import json, sys; print(sum(layer['size'] for layer in json.load(open(sys.argv[1]))['layers']))" "$CACHE/image-manifest.json")"
  say "  skopeo inspect: $(python3 -c "
import json, sys; c = json.load(open(sys.argv[1]))['config']
print('User', c['User'], '| ExposedPorts', ','.join(c['ExposedPorts']), '| Cmd', ' '.join(c['Cmd']))" "$CACHE/image-config.json")"
  say "  image $CACHE/oci:$TAG: one layer, $(( layer_bytes / 1024 / 1024 )) MiB compressed"
  rm -f "$CACHE/sbs-portal.tar"
  skopeo copy --quiet "oci:$CACHE/oci:$TAG" "docker-archive:$CACHE/sbs-portal.tar:sbs-portal:$TAG"
  say "  for a real engine: docker load -i $CACHE/sbs-portal.tar ($(du -sh "$CACHE/sbs-portal.tar" | cut -f1))"
fi
say "Done in $(( $(date +%s) - START )) s"
