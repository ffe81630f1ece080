/**
 * Official keys that exist (issue 7, point 1), on both databases: an AGS whose district does not
 * exist, of an unknown Land, an Amt given a municipality's AGS or key, are refused by the API
 * (problem+json, one error at the wrong field) and by the form (once at the field, once in the summary);
 * a key pasted with spaces is stored without them. Also the member search that folds ß and umlauts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULES } from '../../src/modules/index.js';
import { createRegistry } from '../../src/modules/registry.js';
import { translator } from '../../src/web/i18n/index.js';
import { type Client, DEMO, loggedIn, memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
let admin: Client;
const de = translator('de', createRegistry(MODULES).messages);

beforeAll(async () => {
  t = await testApp();
  admin = await loggedIn(t.app, DEMO.associationAdmin);
});
afterAll(async () => t?.close());

const memberCount = () =>
  readAll(t.database, async (tx) =>
    Number(
      (
        await tx.db
          .selectFrom('members')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  );

type Problem = { status: number; code?: string; errors?: { field: string; code: string; message: string }[] };

async function postMember(body: Record<string, unknown>) {
  const res = await admin.api('POST', '/api/v1/members', body);
  return { res, problem: res.json() as Problem };
}

describe('API: keys that do not exist are refused', () => {
  const cases: [string, Record<string, unknown>, { field: string; code: string }[]][] = [
    [
      'an AGS of no district',
      { kind: 'gemeinde', ags: '12999999' },
      [{ field: 'ags', code: 'ags.district' }],
    ],
    [
      '16060269 (Thüringen has no Kreis 060)',
      { kind: 'gemeinde', ags: '16060269' },
      [{ field: 'ags', code: 'ags.district' }],
    ],
    ['an AGS of no Land', { kind: 'stadt', ags: '17060269' }, [{ field: 'ags', code: 'ags.land' }]],
    [
      'a wrong AGS and the ARS of an existing municipality: only the AGS',
      { kind: 'gemeinde', ags: '12999999', ars: '120600269269' },
      [{ field: 'ags', code: 'ags.district' }],
    ],
    [
      'an ARS of no district',
      { kind: 'gemeinde', ags: '12060269', ars: '129990269269' },
      [{ field: 'ars', code: 'ars.district' }],
    ],
    [
      'an ARS that does not contain the AGS',
      { kind: 'gemeinde', ags: '12060269', ars: '120600181181' },
      [{ field: 'ars', code: 'ars.mismatch' }],
    ],
    [
      "an Amt with a municipality's AGS",
      { kind: 'amt', ags: '12069448', ars: '120695911' },
      [{ field: 'ags', code: 'ags.not_for_amt' }],
    ],
    [
      "an Amt with a municipality's ARS",
      { kind: 'amt', ars: '120695910448' },
      [{ field: 'ars', code: 'amt_key.format' }],
    ],
    [
      'an Amt keyed like an amtsfreie Gemeinde',
      { kind: 'amt', ars: '120690020' },
      [{ field: 'ars', code: 'amt_key.municipality' }],
    ],
    ['an Amt without its key', { kind: 'amt' }, [{ field: 'ars', code: 'amt_key.required' }]],
    [
      'an Amt key of no district',
      { kind: 'amt', ars: '129995910' },
      [{ field: 'ars', code: 'ars.district' }],
    ],
  ];
  for (const [label, body, errors] of cases) {
    it(`${label} → 422, one error at the wrong field, nothing written`, async () => {
      const before = await memberCount();
      const { res, problem } = await postMember({ name: `Test ${label}`.slice(0, 60), ...body });
      expect(res.statusCode).toBe(422);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
      expect(problem.errors?.map(({ field, code }) => ({ field, code }))).toEqual(errors);
      expect(await memberCount()).toBe(before);
    });
  }

  it('accepts an AGS with spaces and stores it without them; an Amt by its Gemeindeverband key', async () => {
    const { res } = await postMember({
      name: 'Gemeinde Wandlitz',
      kind: 'gemeinde',
      ags: '12 060 269',
      ars: '12 0 60 0269 269',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ ags: '12060269', ars: '120600269269' });
    const amt = await postMember({ name: 'Amt Beispiel', kind: 'amt', ars: '120715209' });
    expect(amt.res.statusCode).toBe(201);
    expect(amt.res.json()).toMatchObject({ ags: null, ars: '120715209' });
  });

  it('refuses on PATCH too: turning a municipality into an Amt while it keeps its AGS', async () => {
    const id = await memberIdByName(t.database, 'Rüdersdorf bei Berlin');
    const m = (await admin.api('GET', `/api/v1/members/${id}`)).json() as { version: number };
    const res = await admin.api('PATCH', `/api/v1/members/${id}`, { version: m.version, kind: 'amt' });
    expect(res.statusCode).toBe(422);
    const codes = (res.json() as Problem).errors?.map((e) => e.code);
    expect(codes).toContain('ags.not_for_amt');
  });
});

describe('form: a wrong key is reported once at its field and once in the summary', () => {
  it('12999999 with the ARS of another municipality', async () => {
    const before = await memberCount();
    await admin.get('/mitglieder/neu');
    const res = await admin.postForm('/mitglieder', {
      name: 'Gemeinde Nirgendwo',
      kind: 'gemeinde',
      ags: '12999999',
      ars: '120600269269',
    });
    expect(res.statusCode).toBe(422);
    const message = de.code('ags.district');
    // Once in the summary (a link to the field) and once at the field.
    expect(res.body.split(message)).toHaveLength(3);
    expect(res.body).toContain(`<a class="kern-link" href="#f-ags">${message}</a>`);
    expect(res.body).toMatch(/id="f-ags"[^>]*aria-invalid="true"/);
    expect(res.body).not.toContain('href="#f-ars"');
    expect(res.body).not.toMatch(/id="f-ars"[^>]*aria-invalid="true"/);
    expect(res.body).not.toContain(de.code('ars.mismatch'));
    expect(await memberCount()).toBe(before);
  });

  it('an Amt given a municipality AGS', async () => {
    await admin.get('/mitglieder/neu');
    const res = await admin.postForm('/mitglieder', {
      name: 'Amt Irgendwo',
      kind: 'amt',
      ags: '12069448',
      ars: '',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain(`href="#f-ags">${de.code('ags.not_for_amt')}</a>`);
    expect(res.body).toContain(`href="#f-ars">${de.code('amt_key.required')}</a>`);
  });

  it('a pasted AGS with spaces is accepted (the field is not cut at 8 characters)', async () => {
    const page = await admin.get('/mitglieder/neu');
    expect(page.body).toMatch(/id="f-ags"[^>]*maxlength="11"/);
    const res = await admin.postForm('/mitglieder', {
      name: 'Gemeinde Mühlenbecker Land',
      kind: 'gemeinde',
      ags: '12 065 225',
    });
    expect(res.statusCode).toBe(303);
    const detail = await admin.get(String(res.headers.location));
    expect(detail.body).toContain('12065225');
    expect(detail.body).toContain('Oberhavel (Kreis)');
  });
});

describe('search folds ß and umlauts the same way on both sides', () => {
  const names = async (q: string) =>
    (
      (await admin.api('GET', `/api/v1/members?q=${encodeURIComponent(q)}`)).json() as {
        items: { name: string }[];
      }
    ).items.map((i) => i.name);
  it('finds Großderschau from Grossderschau and GROSSDERSCHAU', async () => {
    expect(await names('Grossderschau')).toEqual(['Großderschau']);
    expect(await names('GROSSDERSCHAU')).toEqual(['Großderschau']);
    expect(await names('Großderschau')).toEqual(['Großderschau']);
  });
  it('finds ä/ae, ö/oe, ü/ue either way', async () => {
    expect(await names('Muehlenfliess')).toContain('Mühlenfließ');
    expect(await names('Märkische')).toEqual(await names('Maerkische'));
    expect(await names('Maerkische')).toContain('Märkische Heide');
    expect(await names('Schoenwalde')).toContain('Schönwalde-Glien');
    expect(await names('RÜDERSDORF')).toContain('Rüdersdorf bei Berlin');
  });
  it('finds an AGS typed with spaces', async () => {
    expect(await names('12 060 181')).toEqual(['Panketal']);
  });
});
