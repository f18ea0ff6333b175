/**
 * One webhook attempt: POST the envelope JSON, signed, with a timeout. Shared by the delivery
 * function (AWS) and `npm start` so both send byte-for-byte the same request shape:
 *   Content-Type: application/json
 *   Scim-Event-Id: <eventId>
 *   Scim-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=…]
 * Success is a 2xx answer. Redirects are not followed (a 3xx is a failure): a signed event must
 * not be forwarded to a host the connector's configuration does not name.
 */
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';

/** Per attempt: the receiver must answer within this. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
export const WEBHOOK_USER_AGENT = 'scim-serverless-webhooks/1';

export interface PostOptions {
  readonly url: string;
  /** The raw body (the envelope JSON): what is signed is exactly what is sent. */
  readonly body: string;
  readonly eventId: string;
  readonly secrets: readonly string[];
  readonly now?: Date;
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
  /** Aborts the attempt early (shutdown of `npm start`). */
  readonly signal?: AbortSignal;
}

export type PostResult = { readonly ok: true; readonly status: number } | { readonly ok: false; readonly status?: number; readonly error: string };

export function signedHeaders(body: string, eventId: string, secrets: readonly string[], now: Date): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'User-Agent': WEBHOOK_USER_AGENT,
    [EVENT_ID_HEADER]: eventId,
    [SIGNATURE_HEADER]: signatureHeader(secrets, Math.floor(now.getTime() / 1000), body),
  };
}

export async function postSigned(o: PostOptions): Promise<PostResult> {
  const f = o.fetchImpl ?? fetch;
  const timeoutMs = o.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  try {
    const res = await f(o.url, {
      method: 'POST',
      headers: signedHeaders(o.body, o.eventId, o.secrets, o.now ?? new Date()),
      body: o.body,
      redirect: 'manual',
      signal: o.signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), o.signal]) : AbortSignal.timeout(timeoutMs),
    });
    // Read (and drop) the answer so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return { ok: false, error: `no answer within ${timeoutMs / 1000} s` };
    const cause = err?.cause?.code ?? err?.cause?.message;
    return { ok: false, error: cause ? `${err.message} (${cause})` : (err?.message ?? String(e)) };
  }
}

/** `https://host:port` of a URL, for logs (a path or query may carry a receiver's own token). */
export function urlOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
