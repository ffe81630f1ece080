import { createHmac, randomBytes } from 'node:crypto';
import { sha256Hex } from '../../shared/canonical-json.js';

/** A random secret token (session cookie or API token) and the hash we store instead of it. */
export function newSecretToken(prefix = ''): { token: string; hash: string } {
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { token, hash: sha256Hex(token) };
}

export function hashToken(token: string): string {
  return sha256Hex(token);
}

export function hmacHex(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}
