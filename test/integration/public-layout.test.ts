/**
 * The public layout in a municipality's branding (falling back to the association's), and the legal
 * pages that use it for visitors while logged-in staff keep the staff layout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/web/i18n/index.js';
import { raw } from '../../src/web/jsx/jsx-runtime.js';
import { PublicLayout } from '../../src/web/public-layout.js';
import { Client, DEMO, loggedIn, type TestApp, testApp } from '../helpers.js';

const PANKETAL = {
  name: 'Gemeinde Panketal',
  logoUrl: '/static/app/wappen-panketal.svg',
  homeUrl: '/buergerservice/panketal',
  privacyUrl: 'https://www.panketal.de/datenschutz',
  imprintUrl: 'https://www.panketal.de/impressum',
};

const hrefOf = (html: string, text: string) =>
  new RegExp(`<a class="kern-link kern-link--small" href="([^"]*)">${text}</a>`).exec(html)?.[1];

describe('public layout', () => {
  it("shows a municipality's name, coat of arms and legal links, the association's where it has none", () => {
    const html = PublicLayout({
      lang: 'de',
      t: translator('de'),
      title: 'Hundesteuer anmelden',
      here: '/buergerservice/panketal/hundesteuer',
      branding: PANKETAL,
      children: raw('<h1 class="kern-heading-x-large">Hundesteuer anmelden</h1>'),
    }).html;
    expect(html).toMatch(/^<html lang="de" data-kern-theme="light">/);
    expect(html).toContain('<title>Hundesteuer anmelden – Gemeinde Panketal</title>');
    expect(html).toContain('Offizielle Website – Gemeinde Panketal');
    expect(html).toContain('<a class="site-brand public-brand" href="/buergerservice/panketal">');
    expect(html).toContain(
      '<img class="public-brand__logo" src="/static/app/wappen-panketal.svg" alt="" height="56">',
    );
    expect(html).toContain('<span class="site-brand__name">Gemeinde Panketal</span>');
    expect(hrefOf(html, 'Impressum')).toBe('https://www.panketal.de/impressum');
    expect(hrefOf(html, 'Datenschutz')).toBe('https://www.panketal.de/datenschutz');
    // No accessibility statement of its own: the association's.
    expect(hrefOf(html, 'Barrierefreiheit')).toBe('/barrierefreiheit');
    expect(html).toContain('href="/sprache/en?zurueck=%2Fbuergerservice%2Fpanketal%2Fhundesteuer"');
    // No script, no form: works without JavaScript and needs no session.
    expect(html).not.toMatch(/<script|<form/);
  });

  it('escapes what a municipality configured, speaks English, and falls back to the association', () => {
    const en = PublicLayout({
      lang: 'en',
      t: translator('en'),
      title: 'Dog tax',
      here: '/',
      branding: { name: 'Gemeinde <Test> & "Co"' },
      children: 'x',
    }).html;
    expect(en).toMatch(/^<html lang="en"/);
    expect(en).toContain('<span class="site-brand__name">Gemeinde &lt;Test&gt; &amp; &quot;Co&quot;</span>');
    expect(en).toContain('Official website – Gemeinde &lt;Test&gt;');
    expect(en).not.toContain('<img');
    expect(hrefOf(en, 'Privacy')).toBe('/datenschutz');
    const association = PublicLayout({
      lang: 'de',
      t: translator('de'),
      title: 'T',
      here: '/',
      children: 'x',
    }).html;
    expect(association).toContain('Offizielle Website – Zweckverband Digitale Kommunen Brandenburg');
    expect(association).toContain('<span class="site-brand__name">Allmende</span>');
    expect(hrefOf(association, 'Impressum')).toBe('/impressum');
  });
});

describe('legal pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => t?.close());

  it('visitors see them in the public layout, staff in the staff layout', async () => {
    for (const url of ['/impressum', '/datenschutz', '/barrierefreiheit']) {
      const anon = await new Client(t.app).get(url);
      expect(anon.statusCode).toBe(200);
      expect(anon.body).toContain('class="site-brand public-brand"');
      expect(anon.body).not.toContain('/abmelden');
    }
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const staff = await admin.get('/impressum');
    expect(staff.body).not.toContain('public-brand');
    expect(staff.body).toContain('action="/abmelden"');
  });
});
