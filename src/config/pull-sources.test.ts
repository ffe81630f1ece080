import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleQuantity } from '../modules/metering/metering.pull.js';
import { ConfigError, loadConfig } from './config.js';
import { parsePullSources } from './pull-sources.js';

const ONE = {
  name: 'rz-prometheus',
  url: 'http://prometheus.rz.example:9090/',
  meters: [{ meter: 'vm-stunden', query: 'sum by (ags) (increase(vm_seconds_total[1h])) / 3600' }],
};

describe('ALLMENDE_PULL_SOURCES', () => {
  it('reads inline JSON with defaults', () => {
    const cfg = loadConfig({ ALLMENDE_PULL_SOURCES: JSON.stringify([ONE]) });
    expect(cfg.pullSources).toEqual([
      {
        name: 'rz-prometheus',
        url: 'http://prometheus.rz.example:9090',
        meters: [{ meter: 'vm-stunden', query: ONE.meters[0]!.query, label: 'ags', decimals: 6 }],
        timeoutMs: 10_000,
        maxHoursPerRun: 48,
        since: undefined,
      },
    ]);
    expect(loadConfig({}).pullSources).toEqual([]);
  });

  it('reads a JSON file named by path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-pull-'));
    const file = path.join(dir, 'pull.json');
    fs.writeFileSync(file, JSON.stringify({ ...ONE, since: '2026-11-01T00:00:00+01:00', maxHoursPerRun: 6 }));
    try {
      const [s] = loadConfig({ ALLMENDE_PULL_SOURCES: file }).pullSources;
      expect(s).toMatchObject({ since: '2026-10-31T23:00:00.000Z', maxHoursPerRun: 6 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names every problem, with the setting and the place', () => {
    const problems: string[] = [];
    parsePullSources(
      JSON.stringify([
        { name: 'a b', url: 'x', meters: [] },
        {
          name: 'ok',
          url: 'ftp://x',
          timeoutMs: 5,
          meters: [
            { meter: 'VM', query: '' },
            { meter: 'vm-stunden', query: 'q', label: 'a-b', decimals: 20 },
          ],
        },
      ]),
      problems,
    );
    expect(problems).toEqual([
      'ALLMENDE_PULL_SOURCES[0].name: expected letters, digits, ".", "_" or "-" (at most 50)',
      'ALLMENDE_PULL_SOURCES[1].url: expected an http(s) URL of Prometheus',
      'ALLMENDE_PULL_SOURCES[1].meters[0].meter: expected a meter key (e.g. vm-stunden)',
      'ALLMENDE_PULL_SOURCES[1].meters[0].query: expected a PromQL query',
      'ALLMENDE_PULL_SOURCES[1].meters[1].label: expected a Prometheus label name',
      'ALLMENDE_PULL_SOURCES[1].meters[1].decimals: expected an integer between 0 and 12',
      'ALLMENDE_PULL_SOURCES[1].timeoutMs: expected an integer between 100 and 300000',
    ]);
    expect(() => loadConfig({ ALLMENDE_PULL_SOURCES: '[{' })).toThrow(ConfigError);
    expect(() => loadConfig({ ALLMENDE_PULL_SOURCES: '/nonexistent/pull.json' })).toThrow(
      /ALLMENDE_PULL_SOURCES: neither JSON nor a readable file/,
    );
  });
});

describe('sampleQuantity', () => {
  it('turns Prometheus floats into exact decimals, and refuses what is no quantity', () => {
    expect(sampleQuantity('3', 6)).toBe('3');
    expect(sampleQuantity('2.9999999999999996', 6)).toBe('3');
    expect(sampleQuantity('0.1234567', 6)).toBe('0.123457');
    expect(sampleQuantity('1.5e+09', 6)).toBe('1500000000');
    expect(sampleQuantity('42.5', 0)).toBe('43');
    expect(sampleQuantity('0', 6)).toBe('0');
    expect(sampleQuantity('NaN', 6)).toBeUndefined();
    expect(sampleQuantity('+Inf', 6)).toBeUndefined();
    expect(sampleQuantity('-1', 6)).toBeUndefined();
  });
});
