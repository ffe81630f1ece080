import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, DEMO, loggedIn, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

describe('smoke', () => {
  it('serves health and readiness', async () => {
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ok');
  });

  it('logs the association admin in and shows the member list', async () => {
    const c = await loggedIn(t.app, DEMO.associationAdmin);
    const res = await c.get('/mitglieder?q=Panke');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Panketal');
  });

  it('redirects anonymous visitors to the login page', async () => {
    const c = new Client(t.app);
    const res = await c.get('/mitglieder?q=Panke');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/anmelden/);
  });
});
