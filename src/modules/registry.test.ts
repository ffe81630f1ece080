import { describe, expect, it } from 'vitest';
import { MODULES } from './index.js';
import { defineModule } from './module.js';
import { createRegistry } from './registry.js';

describe('the registry of own meters', () => {
  it("collects the meters modules declare for Allmende's own usage, with the module", () => {
    const registry = createRegistry(MODULES);
    expect(registry.meters.get('konten')).toEqual({ aggregation: 'max', module: 'people' });
    expect(registry.messages.get('meter.konten')?.de).toBe('Konten (Personen mit Zugang)');
  });

  it('refuses a meter declared twice, an invalid key and a meter without its labels', () => {
    const labels = {
      'meter.x-zaehler': { de: 'X', en: 'X' },
      'meter_unit.x-zaehler': { de: 'Stück', en: 'pieces' },
    };
    const mod = (name: string, meters: Record<string, { aggregation: 'sum' }>, messages = {}) =>
      defineModule({ name, permissions: {}, auditEvents: [], messages, meters });
    expect(() => createRegistry([...MODULES, mod('twice', { konten: { aggregation: 'sum' } })])).toThrow(
      /meter "konten" is declared twice/,
    );
    expect(() => createRegistry([mod('bad', { Konten: { aggregation: 'sum' } })])).toThrow(
      /meter key "Konten" is invalid/,
    );
    expect(() => createRegistry([mod('unlabelled', { 'x-zaehler': { aggregation: 'sum' } })])).toThrow(
      /meter.x-zaehler/,
    );
    expect(
      createRegistry([mod('ok', { 'x-zaehler': { aggregation: 'sum' } }, labels)]).meters.get('x-zaehler'),
    ).toEqual({ aggregation: 'sum', module: 'ok' });
  });
});
