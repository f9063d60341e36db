#!/bin/sh
# The system Chromium inside the network namespace $TANDEM_NETNS. `ip netns exec` execs it in place, so the
# pipe playwright-core talks to Chromium through (--remote-debugging-pipe, fds 3 and 4) stays connected.
exec ip netns exec "$TANDEM_NETNS" "${CHROMIUM_PATH:-/usr/bin/chromium}" "$@"
