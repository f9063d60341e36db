// The site's clock as this page knows it. Moments come from the server (a recording's start, a session's,
// an invitation's expiry): the time since or until them is told against the server's clock, so a computer
// whose own clock is off still shows the right elapsed time. Each feed that carries the server's time sets it.

/** The server's clock minus this browser's, as of the last time a feed told it. */
let skew = 0;

/** The server's time as a feed just sent it. */
export function heardSiteTime(serverNow: number): void {
	skew = serverNow - Date.now();
}

/** The site's time now. */
export const siteNow = (): number => Date.now() + skew;
