/**
 * The HTTP client of `npm run bench:ingest`, run as a child process of the bench (fork with IPC): it
 * receives the plan, writes every request body beforehand (so that making JSON does not count against
 * the server), says `ready`, and on `go` sends the batches over `streams` keep-alive connections — each
 * stream takes the next batch in order — and reports the wall time and the answers' totals.
 */
import http from 'node:http';
import { batchCount, batchIndexes, type EventPlan, eventAt } from './ingest-events.js';

export interface ClientStart {
  readonly plan: EventPlan;
  readonly url: string;
  readonly token: string;
  readonly streams: number;
}

export interface ClientResult {
  readonly ms: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly batches: number;
  /** Per-request latency (ms), in batch order. */
  readonly latencies: number[];
}

function post(
  agent: http.Agent,
  url: URL,
  token: string,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(start: ClientStart): Promise<ClientResult> {
  const { plan } = start;
  const bodies: Buffer[] = [];
  for (let k = 0; k < batchCount(plan); k++) {
    bodies.push(Buffer.from(JSON.stringify(batchIndexes(plan, k).map((i) => eventAt(plan, i)))));
  }
  process.send!({ ready: true });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));

  const url = new URL('/api/v1/usage', start.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: start.streams });
  const latencies: number[] = new Array(bodies.length).fill(0);
  let next = 0;
  let accepted = 0;
  let duplicates = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: start.streams }, async () => {
      for (let k = next++; k < bodies.length; k = next++) {
        const s = performance.now();
        const res = await post(agent, url, start.token, bodies[k]!);
        latencies[k] = performance.now() - s;
        if (res.status !== 200) throw new Error(`batch ${k}: ${res.status} ${res.text.slice(0, 500)}`);
        const answer = JSON.parse(res.text) as { accepted: number; duplicates: number };
        accepted += answer.accepted;
        duplicates += answer.duplicates;
      }
    }),
  );
  const ms = performance.now() - t0;
  agent.destroy();
  return { ms, accepted, duplicates, batches: bodies.length, latencies };
}

process.once('message', (start: ClientStart) => {
  run(start).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err: Error) => process.send!({ error: err.stack ?? String(err) }, () => process.exit(1)),
  );
});
