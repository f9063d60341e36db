#!/usr/bin/env bash
# Builds the mediasoup worker (the C++ media engine of apps/sfu) from Debian's libraries, because no
# prebuilt worker can be downloaded here and mediasoup's own build fetches its C++ dependencies from
# GitHub. The binary is cached outside the clone, keyed by mediasoup's version and the hash of this
# recipe and its patch, so only the first run on a machine compiles (~7–12 min on 2 cores).
#
#   bash scripts/build-sfu-worker.sh        (npm start / npm test call it)
#
#  1. apt: toolchain + system libs (libuv1, OpenSSL 3.0, libsrtp2, usrsctp, abseil, flatbuffers);
#     meson >= 1.1 from bookworm-backports (bookworm's 1.0.1 is too old for mediasoup).
#  2. Copies node_modules/mediasoup/worker to the cache, replaces the meson wraps (which download) by
#     local shim subprojects over the system libs, applies apps/sfu/worker/mediasoup-<version>.patch
#     (libsrtp 3 API -> Debian's libsrtp2; a BIO callback fix without which Debian's KTLS-enabled
#     OpenSSL crashes the worker at the first DTLS handshake), builds with liburing off.
#  3. Installs the binary where mediasoup looks: node_modules/mediasoup/worker/out/Release/mediasoup-worker.
set -euo pipefail

MEDIASOUP_VERSION="${MEDIASOUP_VERSION:-3.19.3}"   # the patch below is for this exact version
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP_DIR="$ROOT/apps/sfu"
PATCH_FILE="$ROOT/apps/sfu/worker/mediasoup-$MEDIASOUP_VERSION.patch"
# The cache key: mediasoup's version, this recipe's number (bump RECIPE when the build steps below
# change) and the patch's hash — editing comments or logging here does not force a 7-minute rebuild.
RECIPE=1
KEY="$MEDIASOUP_VERSION-r$RECIPE-$(sha256sum "$PATCH_FILE" | cut -c1-12)"
CACHE_DIR="${MEDIASOUP_WORKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem/mediasoup-worker}"
JOBS="${JOBS:-$(nproc)}"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
log() { printf '== %s\n' "$*" >&2; }

# ---------------------------------------------------------------- 1. Debian packages
APT_PKGS=(ninja-build pkg-config g++ patch python3 libuv1-dev libssl-dev libsrtp2-dev
          libusrsctp-dev libabsl-dev flatbuffers-compiler libflatbuffers-dev)
meson_ok() { command -v meson >/dev/null && dpkg --compare-versions "$(meson --version)" ge 1.1.0; }
missing=$(dpkg-query -W -f='${Status} ${Package}\n' "${APT_PKGS[@]}" 2>&1 | grep -v '^install ok installed' || true)
if [ -n "$missing" ] || ! meson_ok; then
  log "installing Debian packages"
  if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # Reuse the mirror this machine is already configured with.
    mirror=$(awk '/^URIs:/{u=$2} /^Suites:.*bookworm( |$)/{print u; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null)
    [ -n "$mirror" ] || mirror=$(grep -hoE '^deb +[^ ]+' /etc/apt/sources.list 2>/dev/null | head -n1 | awk '{print $2}')
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" \
      | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
  fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${APT_PKGS[@]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm-backports meson
fi
meson_ok || { echo "meson >= 1.1.0 required (got $(meson --version 2>/dev/null))" >&2; exit 1; }

# ---------------------------------------------------------------- 2. the npm package (installed by npm ci)
MS_DIR="$(cd "$APP_DIR" && node -p "require('path').resolve(require.resolve('mediasoup'), '../../..')")"
[ "$(node -p "require('$MS_DIR/package.json').version")" = "$MEDIASOUP_VERSION" ] || { echo "mediasoup in $MS_DIR is not $MEDIASOUP_VERSION" >&2; exit 1; }
if [ -x "$MS_DIR/worker/out/Release/mediasoup-worker" ] && cmp -s "$MS_DIR/worker/out/Release/mediasoup-worker" "$CACHE_DIR/$KEY/mediasoup-worker" 2>/dev/null; then
  exit 0   # installed and current
fi

# ---------------------------------------------------------------- 3. build (cached)
OUT_BIN="$CACHE_DIR/$KEY/mediasoup-worker"
if [ ! -x "$OUT_BIN" ]; then
  SRC="$CACHE_DIR/$KEY/worker"
  log "building mediasoup-worker $MEDIASOUP_VERSION in $SRC (takes ~7 min on 2 cores)"
  rm -rf "$SRC"; mkdir -p "$CACHE_DIR/$KEY"
  cp -r "$MS_DIR/worker" "$SRC"
  rm -rf "$SRC/out" "$SRC/subprojects"/*.wrap "$SRC/subprojects/packagecache"

  # 3a. Shim subprojects: same names/variables as mediasoup's wraps, backed by Debian libs.
  cd "$SRC/subprojects"
  shim() { mkdir -p "$1"; : > "$1/shim.c"; printf "project('%s', 'c', version: 'system')\n%s\n" "$1" "$2" > "$1/meson.build"; }
  opts() { local d="$1"; shift; for o in "$@"; do echo "option('$o', type: 'string', value: '')"; done > "$d/meson_options.txt"; }
  shim openssl "
openssl_dep = dependency('openssl')
libcrypto_lib = static_library('crypto_shim', 'shim.c')
libssl_lib = static_library('ssl_shim', 'shim.c')"
  shim libuv "
libuv_dep = dependency('libuv')
libuv = static_library('uv_shim', 'shim.c')"
  shim libsrtp3 "
_srtp = dependency('libsrtp2')
_srtp_inc = _srtp.get_variable(pkgconfig: 'includedir') / 'srtp2'
libsrtp3_dep = declare_dependency(dependencies: _srtp, compile_args: ['-I' + _srtp_inc])
libsrtp3 = static_library('srtp_shim', 'shim.c')"
  shim usrsctp "
usrsctp_dep = dependency('usrsctp')
usrsctp = static_library('usrsctp_shim', 'shim.c')"
  shim abseil-cpp "
_absl = []
foreach m : ['absl_flat_hash_map', 'absl_flat_hash_set', 'absl_node_hash_map', 'absl_btree', 'absl_inlined_vector', 'absl_memory', 'absl_strings', 'absl_optional', 'absl_base']
  _absl += dependency(m)
endforeach
absl_container_dep = declare_dependency(dependencies: _absl)
absl_strings_dep = absl_container_dep
absl_types_dep = absl_container_dep
absl_container_lib = static_library('absl_shim', 'shim.c')"
  shim flatbuffers "
flatbuffers_dep = dependency('flatbuffers')
flatbuffers_lib = static_library('flatbuffers_shim', 'shim.c')"
  shim catch2 "
catch2_dep = dependency('catch2-with-main', required: false)"
  opts libuv build_tests build_benchmarks
  opts libsrtp3 crypto-library crypto-library-kdf tests
  opts usrsctp sctp_build_programs
  cd "$SRC"

  # 3b. C++ patch: libsrtp 3.x API -> Debian libsrtp2 2.5 API; BIO callback fix for
  #     KTLS-enabled OpenSSL (without it the worker SIGSEGVs at the first DTLS handshake).
  patch -p1 --forward < "$PATCH_FILE"

  # 3c. Configure + build. nodownload: never touch the network. liburing off (Debian's 2.3 < 2.5).
  meson setup --buildtype release -Db_ndebug=true -Dms_disable_liburing=true \
    --wrap-mode=nodownload out/Release/build
  meson compile -C out/Release/build flatbuffers-generator     # FBS/*.h must exist first
  start=$(date +%s)
  meson compile -C out/Release/build -j "$JOBS" mediasoup-worker
  log "worker compiled in $(( $(date +%s) - start ))s"
  install -m 0755 out/Release/build/mediasoup-worker "$OUT_BIN.tmp" && mv "$OUT_BIN.tmp" "$OUT_BIN"
  rm -rf "$SRC"   # keep only the binary (~3.5 MB)
else
  log "using cached $OUT_BIN"
fi

# ---------------------------------------------------------------- 4. install + smoke test
install -D -m 0755 "$OUT_BIN" "$MS_DIR/worker/out/Release/mediasoup-worker"
log "installed $MS_DIR/worker/out/Release/mediasoup-worker"
(cd "$APP_DIR" && node --input-type=module -e "
  import * as ms from 'mediasoup';
  const w = await ms.createWorker({ logLevel: 'warn' });
  const r = await w.createRouter({ mediaCodecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 } ] });
  console.log('smoke test OK: mediasoup', ms.version, 'worker pid', w.pid, 'codecs', r.rtpCapabilities.codecs.length);
  w.close();")
