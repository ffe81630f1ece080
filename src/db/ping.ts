/** The readiness probe's query: is the database there and answering? */
import { sql } from 'kysely';
import type { Database } from './database.js';

export async function pingDatabase(database: Database): Promise<void> {
  await sql`select 1`.execute(database.db);
}
