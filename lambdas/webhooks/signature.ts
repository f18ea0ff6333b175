/**
 * The webhook signature: `Scim-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * During a rotation grace period there is one `v1=` per valid secret (current first), so a receiver
 * that knows either secret verifies the request. The timestamp is part of the signed text: a
 * receiver rejects requests whose `t` is more than `SIGNATURE_TOLERANCE_SECONDS` away from its
 * clock (replays). Pure; the delivery function and `npm start` sign with it, tests verify with it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Scim-Signature';
export const EVENT_ID_HEADER = 'Scim-Event-Id';
/** What the README's verification snippet allows between `t` and the receiver's clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** hex HMAC-SHA256 of `<t>.<body>`. */
export function signatureV1(secret: string, t: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

/** The header value for `body` signed at `t` (unix seconds) with each secret, in order. */
export function signatureHeader(secrets: readonly string[], t: number, body: string | Buffer): string {
  if (secrets.length === 0) throw new Error('no signing secret');
  if (!Number.isInteger(t) || t < 0) throw new Error(`signature time must be unix seconds, got ${t}`);
  return [`t=${t}`, ...secrets.map((s) => `v1=${signatureV1(s, t, body)}`)].join(',');
}

export interface ParsedSignature {
  readonly t: number;
  readonly v1: readonly string[];
}

/** `t=…,v1=…[,v1=…]` → its parts; undefined when malformed. Unknown keys are ignored (future schemes). */
export function parseSignatureHeader(header: string | undefined): ParsedSignature | undefined {
  if (!header) return undefined;
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || t !== undefined) return undefined;
      t = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return undefined;
      v1.push(value);
    }
  }
  return t === undefined || v1.length === 0 ? undefined : { t, v1 };
}

/**
 * Verifies a request as a receiver would (constant-time comparison of every `v1` against `secret`,
 * `|now − t| ≤ toleranceSeconds`).
 */
export function verifySignature(
  header: string | undefined,
  body: string | Buffer,
  secret: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  const parsed = parseSignatureHeader(header);
  if (!parsed || Math.abs(nowSeconds - parsed.t) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureV1(secret, parsed.t, body), 'hex');
  let ok = false;
  for (const v of parsed.v1) ok = timingSafeEqual(Buffer.from(v, 'hex'), expected) || ok;
  return ok;
}
