import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The CLI's key to a running demo service: a random token in DATA_DIR/control-token (mode 0600). */
export const CONTROL_HEADER = 'x-kezek-control-token';

export function controlTokenPath(dataDir: string): string {
  return path.join(dataDir, 'control-token');
}

export function writeControlToken(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const token = crypto.randomBytes(32).toString('base64url');
  const file = controlTokenPath(dataDir);
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, token, { mode: 0o600 });
  return token;
}

export function readControlToken(dataDir: string): string | undefined {
  try {
    return fs.readFileSync(controlTokenPath(dataDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: unknown, expected: string | undefined): boolean {
  if (typeof presented !== 'string' || !expected) return false;
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}
