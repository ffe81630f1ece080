import path from 'node:path';
import type { Config } from '../config/config.js';
import { createDatabase, type Database } from './database.js';

/** Opens the configured database: PostgreSQL when DATABASE_URL is set, else PGlite under the data folder. */
export function openDatabase(config: Config): Promise<Database> {
  return config.databaseUrl
    ? createDatabase({ kind: 'postgres', url: config.databaseUrl })
    : createDatabase({ kind: 'pglite', dataDir: path.join(config.dataDir, 'pglite') });
}
