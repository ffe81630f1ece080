/**
 * What every page has around its content: the favicon (linked in both layouts, served with cache
 * headers, also at /favicon.ico where browsers look for it on their own) and a title that starts with
 * "Fehler:" ("Error:") exactly when the page shows a form's errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, DEMO, loggedIn, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];

describe('favicon', () => {
  it('is linked in the staff layout and the public layout, and every link answers 200 with cache headers', async () => {
    const staff = (await new Client(t.app).get('/anmelden')).body;
    const visitor = (await new Client(t.app).get('/impressum')).body;
    expect(visitor).not.toContain('href="/konto"'); // really the public layout
    for (const html of [staff, visitor]) {
      const icons = [...html.matchAll(/<link rel="icon" href="([^"]+)"/g)].map((m) => m[1]!);
      expect(icons).toEqual(['/favicon.ico', '/static/app/favicon.svg']);
      for (const href of icons) {
        const res = await t.app.inject({ url: href });
        expect(res.statusCode, href).toBe(200);
        expect(res.headers['cache-control'], href).toMatch(/max-age=\d{4,}/);
        expect(res.headers['content-type'], href).toMatch(
          href.endsWith('.svg') ? /^image\/svg\+xml/ : /icon/,
        );
      }
    }
    // An ICO file (header 00 00 01 00) with PNG images.
    const ico = await t.app.inject({ url: '/favicon.ico' });
    expect([...ico.rawPayload.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
    expect(ico.rawPayload.includes(Buffer.from('PNG'))).toBe(true);
  });
});

describe('page title with form errors', () => {
  it('starts with "Fehler:" when the login form has errors, and not before', async () => {
    const c = new Client(t.app);
    expect(titleOf((await c.get('/anmelden')).body)).toBe('Anmelden – Allmende');
    const empty = await c.postForm('/anmelden', { email: '', password: '' });
    expect(empty.statusCode).toBe(422);
    expect(titleOf(empty.body)).toBe('Fehler: Anmelden – Allmende');
    const wrong = await c.postForm('/anmelden', {
      email: DEMO.associationFinance,
      password: 'falsch-falsch',
    });
    expect(wrong.statusCode).toBe(401);
    expect(titleOf(wrong.body)).toBe('Fehler: Anmelden – Allmende');
    await c.get('/sprache/en?zurueck=/anmelden');
    const en = await c.postForm('/anmelden', { email: '', password: '' });
    expect(titleOf(en.body)).toBe('Error: Sign in – Allmende');
  });

  it('a form page of a logged-in person too; pages without a form error keep their title', async () => {
    const c = await loggedIn(t.app, DEMO.badBelzigClerk);
    expect(titleOf((await c.get('/konto')).body)).toBe('Mein Konto – Allmende');
    const res = await c.postForm('/konto/passwort', { currentPassword: 'falsch', newPassword: 'kurz' });
    expect(res.statusCode).toBe(422);
    expect(titleOf(res.body)).toBe('Fehler: Mein Konto – Allmende');
    // A 404 is not a form error.
    expect(titleOf((await c.get('/gibt-es-nicht')).body)).toBe('Nicht gefunden – Allmende');
  });
});
