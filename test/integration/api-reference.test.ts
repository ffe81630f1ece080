/**
 * The API reference page (/api/docs): rendered from the OpenAPI document in the KERN layout, public,
 * every operation of the document on it (method, path, summary, parameters, body, responses), German
 * and English; no third-party UI (no script, nothing the Content-Security-Policy would block).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenApiDocument, operationsOf } from '../../src/web/api-reference.js';
import { Client, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
let doc: OpenApiDocument;
beforeAll(async () => {
  t = await testApp();
  doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
});
afterAll(async () => t?.close());

function decode(html: string): string {
  return html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('API reference page', () => {
  it('is public, in the KERN layout, without script or inline style', async () => {
    const res = await t.app.inject({ url: '/api/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('/static/kern/kern.min.css');
    expect(res.body).toMatch(/<title>API-Dokumentation – Allmende<\/title>/);
    expect(res.body).not.toMatch(/<script|style=|swagger/i);
    expect(res.headers['content-security-policy']).toContain("style-src 'self'");
    // The OpenAPI document stays where it was, and the old UI's assets are gone.
    expect((await t.app.inject({ url: '/api/openapi.json' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/docs/static/index.html' })).statusCode).toBe(404);
  });

  it('shows every operation of the OpenAPI document with its parts, grouped by tag with a table of contents', async () => {
    const html = decode((await t.app.inject({ url: '/api/docs' })).body);
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThanOrEqual(15);
    for (const o of ops) {
      const label = `${o.method} ${o.path}`;
      // The operation's section, its heading and its entry in the table of contents.
      expect(html, label).toContain(`id="${o.anchor}"`);
      expect(html, label).toContain(`href="#${o.anchor}"`);
      const start = html.indexOf(`id="${o.anchor}"`);
      const end = html.indexOf('<section class="api-operation"', start);
      const section = html.slice(start, end < 0 ? undefined : end);
      expect(section, label).toContain(`>${o.method}<`);
      expect(section, label).toContain(o.path);
      if (o.op.summary) expect(section, label).toContain(o.op.summary);
      for (const p of o.op.parameters ?? [])
        expect(section, `${label} parameter ${p.name}`).toContain(`>${p.name}<`);
      const body = o.op.requestBody?.content?.['application/json']?.schema;
      for (const field of Object.keys(body?.properties ?? {}))
        expect(section, `${label} body field ${field}`).toContain(`>${field}<`);
      for (const code of Object.keys(o.op.responses ?? {}))
        expect(section, `${label} response ${code}`).toContain(code);
    }
    // Grouped by tag, with German headings.
    for (const heading of [
      'Inhalt',
      'Authentifizierung',
      'Mitglieder',
      'Personen',
      'Prüfpfad',
      'Fehlerantworten',
    ])
      expect(html).toMatch(new RegExp(`<h2[^>]*>${heading}</h2>`));
    expect(html).toContain('href="/api/openapi.json"');
  });

  it('speaks English after the language switch, and marks the English texts on the German page', async () => {
    const c = new Client(t.app);
    const de = await c.get('/api/docs');
    expect(de.body).toMatch(/<p class="kern-body"><span lang="en">[^<]+<\/span><\/p>/);
    await c.get('/sprache/en?zurueck=/api/docs');
    const en = await c.get('/api/docs');
    expect(en.body).toMatch(/<title>API documentation – Allmende<\/title>/);
    for (const heading of ['Contents', 'Authentication', 'Members', 'Error responses'])
      expect(en.body).toMatch(new RegExp(`<h2[^>]*>${heading}</h2>`));
    expect(en.body).not.toContain('lang="en">');
  });
});
