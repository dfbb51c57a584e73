/**
 * RFC 8785 (JCS) canonical JSON, as the server hashes it. JavaScript already writes numbers and
 * strings the way JCS asks; only the member order (UTF-16 code units) needs doing by hand.
 */
export function canonicalize(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError('JSON has no ' + value);
    }
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return '[' + value.map((item) => canonicalize(item === undefined ? null : item)).join(',') + ']';
  }
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
    .sort()
    .map((key) => JSON.stringify(key) + ':' + canonicalize(record[key]));
  return '{' + members.join(',') + '}';
}

/** Lower-case hex SHA-256 of the canonical form: the server's {@code contentHash} of the same value. */
export async function contentHash(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalize(value));
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether two JSON values are the same value (member order and number spelling aside). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalize(a) === canonicalize(b);
}
