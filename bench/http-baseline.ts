/**
 * The baselines of `npm run bench:http`, run in their own process: a bare Fastify hello world, and a bare
 * Fastify route that runs the members list's one SQL query (the same columns, 50 rows) on a `pg` pool —
 * the floor for the members API and page, since fetching and serialising 50 rows costs that much.
 * Usage: node --import tsx bench/http-baseline.ts <port> <database-url>
 */
import Fastify from 'fastify';
import pg from 'pg';

const [port, url] = process.argv.slice(2);
if (!port || !url) throw new Error('usage: http-baseline.ts <port> <database-url>');

// The members list's SQL as Kysely compiles it in members.repository.ts (searchMembers, 50 rows), run
// as a superuser: no row-level security, no transaction — nothing but the query.
const MEMBERS_SQL = `select "m".*, "a"."name" as "amt_name" from "members" as "m"
  left join "members" as "a" on "a"."id" = "m"."amt_id"
  order by "m"."is_association" desc, lower(m.name) limit $1 offset $2`;

const pool = new pg.Pool({ connectionString: url, max: 10 });
const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
app.get('/members', async () => {
  const { rows } = await pool.query(MEMBERS_SQL, [50, 0]);
  return { items: rows, total: rows.length };
});
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('ready\n');
const stop = () => {
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
