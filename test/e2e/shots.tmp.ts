import { launchBrowser, login, newContext, startE2eServer } from './server.js';
import { DEMO } from '../helpers.js';

const s = await startE2eServer();
const b = await launchBrowser();
const ctx = await newContext(b, s.baseUrl);
const page = await ctx.newPage();
await login(page, DEMO.auditor);
for (const [name, url, w] of [
  ['verify', '/pruefung/verifizieren', 1280],
  ['trail', '/pruefung', 1280],
  ['trail-375', '/pruefung', 375],
] as const) {
  await page.setViewportSize({ width: w, height: 900 });
  await page.goto(s.baseUrl + url);
  const h = await page.evaluate(() => document.documentElement.scrollHeight);
  console.log(name, page.url(), 'height', h);
  await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: h < 6000 });
}
await page.goto(s.baseUrl + '/abmelden').catch(() => {});
const p2 = await (await newContext(b, s.baseUrl)).newPage();
await login(p2, DEMO.associationAdmin);
await p2.setViewportSize({ width: 1280, height: 900 });
await p2.goto(s.baseUrl + '/mitglieder/neu');
await p2.screenshot({ path: '/tmp/shots/member-new.png', fullPage: true });
await p2.goto(s.baseUrl + '/api/docs');
await p2.screenshot({ path: '/tmp/shots/apidocs.png' });
await b.close();
await s.stop();
