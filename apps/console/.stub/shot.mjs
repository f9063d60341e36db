import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic'] });
const base = process.argv[2];
for (const locale of ['en-US', 'sr-Latn-RS']) {
  for (const scheme of ['light', 'dark']) {
    const ctx = await browser.newContext({ locale, colorScheme: scheme, viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    for (const [name, path] of [['customer', '/'], ['console', '/console']]) {
      const res = await page.goto(base + path, { waitUntil: 'networkidle' });
      const h1 = await page.locator('h1').first().textContent();
      const lang = await page.evaluate(() => document.documentElement.lang);
      const labels = await page.locator('label, button, p').allTextContents();
      console.log(locale, scheme, name, res?.status(), page.url(), JSON.stringify(h1), lang, JSON.stringify(labels.map((s) => s.trim().replace(/\s+/g, ' '))));
      await page.screenshot({ path: `/tmp/shot-${name}-${locale}-${scheme}.png` });
    }
    if (errors.length) console.log('ERRORS', errors);
    await ctx.close();
  }
}
// query override & console cookie switch
const ctx = await browser.newContext({ locale: 'en-US' });
const page = await ctx.newPage();
await page.goto(base + '/?lang=sr', { waitUntil: 'networkidle' });
console.log('?lang=sr ->', await page.locator('h1').textContent());
await page.goto(base + '/', { waitUntil: 'networkidle' });
console.log('remembered ->', await page.locator('h1').textContent());
await page.goto(base + '/console', { waitUntil: 'networkidle' });
await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'SR' }).click()]);
await page.waitForLoadState('networkidle');
console.log('console after SR click ->', await page.locator('h1').textContent(), (await ctx.cookies()).map((c) => `${c.name}=${c.value}`));
const r = await page.evaluate(async () => (await fetch('/console/api/trpc/hello')).json());
console.log('fetch from page', JSON.stringify(r));
await browser.close();
