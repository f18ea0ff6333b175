/**
 * The SCIM error type (RFC 7644 §3.12). Every non-2xx answer of the service is one of these,
 * serialised by `toJSON`; anything else that escapes becomes an opaque 500 at the HTTP edge.
 */

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Every scimType of RFC 7644 §3.12 Table 9, plus `invalidCursor`/`expiredCursor` of RFC 9865 §5. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor';

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly detail: string;
  /** Extra response headers the HTTP edge must send (e.g. Retry-After on 429/503). */
  readonly headers: Readonly<Record<string, string>>;

  /** `options.cause`: what went wrong underneath, for the server's log only (never serialised). */
  constructor(status: number, scimType: ScimType | undefined, detail: string, headers: Record<string, string> = {}, options: { cause?: unknown } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
    this.headers = headers;
  }

  /** RFC 7644 §3.12: `status` is a string in the body. */
  toJSON(): ScimErrorBody {
    const body: ScimErrorBody = { schemas: [SCIM_ERROR_SCHEMA], status: String(this.status), detail: this.detail };
    if (this.scimType) body.scimType = this.scimType;
    return body;
  }

  static badRequest(scimType: ScimType, detail: string): ScimError {
    return new ScimError(400, scimType, detail);
  }
  static notFound(detail: string): ScimError {
    return new ScimError(404, undefined, detail);
  }
  static conflict(detail: string): ScimError {
    return new ScimError(409, 'uniqueness', detail);
  }
  static preconditionFailed(detail: string): ScimError {
    return new ScimError(412, undefined, detail);
  }
}

export function isScimError(e: unknown): e is ScimError {
  return e instanceof ScimError;
}
