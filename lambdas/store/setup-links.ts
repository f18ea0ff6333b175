/**
 * One-time setup links (`scim-admin setup-link`): a link hands a connector's Tenant URL and token
 * to the identity provider's admin once, without the token passing through chat or e-mail.
 *
 * A link is `<setup page base>/<connector>/<linkId>#<secret>` deployed (the stack's one setup API)
 * and `<local endpoint>/<connector>/setup/<linkId>#<secret>` with `npm start`. The link id (128 random bits)
 * addresses the item; the secret (256 random bits) travels in the URL fragment, which browsers
 * never send, and reaches the API only in a request body — so neither ends up in an access log
 * together. Only the secret's SHA-256 is stored (a 256-bit random secret needs no slow hash), and
 * it is compared in constant time.
 *
 * Item: PK `C#<c>#SETUP`, SK `<linkId>` (keys.ts), `secretHash`, `createdAt`, `expiresAt`,
 * `tenantUrl`, `revealedAt?`, `revokedAt?`, and the table's TTL attribute a week after expiry (housekeeping
 * only: DynamoDB deletes expired items within days, so expiry is enforced here, from `expiresAt`;
 * the week lets a late visitor still read "expired" rather than "unknown link").
 *
 * Revealing is one conditional update (not revealed, not revoked, not expired, same secret hash):
 * two browsers racing on one link get the token once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll, run } from './context.js';
import { isStorageError } from './errors.js';
import { keys } from './keys.js';
import { TABLE } from './table.js';

/** Link ids: 16 random bytes (128 bits), base64url. */
export const LINK_ID = /^[A-Za-z0-9_-]{22}$/;
/** Link secrets: 32 random bytes (256 bits), base64url. */
export const LINK_SECRET = /^[A-Za-z0-9_-]{43}$/;
/** How long after expiry DynamoDB may delete the item (TTL). */
const TTL_GRACE_SECONDS = 7 * 24 * 3600;

export type LinkState = 'open' | 'revealed' | 'expired' | 'revoked';

export interface SetupLink {
  readonly connector: string;
  readonly linkId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revealedAt?: string;
  readonly revokedAt?: string;
  /** The Tenant URL the page shows, as the CLI knew it (stack output or npm start). */
  readonly tenantUrl?: string;
}

export interface NewSetupLink extends SetupLink {
  /** Shown once, in the URL's fragment; never stored. */
  readonly secret: string;
}

interface LinkItem {
  PK: string;
  SK: string;
  linkId: string;
  secretHash: string;
  createdAt: string;
  expiresAt: string;
  revealedAt?: string;
  revokedAt?: string;
  tenantUrl?: string;
  ttl: number;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** What a link is now: revoked and revealed win over expired (the visitor learns what happened). */
export function linkState(link: SetupLink, now: Date = new Date()): LinkState {
  if (link.revokedAt) return 'revoked';
  if (link.revealedAt) return 'revealed';
  if (Date.parse(link.expiresAt) <= now.getTime()) return 'expired';
  return 'open';
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function toLink(connector: string, item: LinkItem): SetupLink {
  return {
    connector,
    linkId: item.linkId,
    createdAt: item.createdAt,
    expiresAt: item.expiresAt,
    ...(item.revealedAt ? { revealedAt: item.revealedAt } : {}),
    ...(item.revokedAt ? { revokedAt: item.revokedAt } : {}),
    ...(item.tenantUrl ? { tenantUrl: item.tenantUrl } : {}),
  };
}

export class SetupLinks {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new link valid for `ttlSeconds`, showing `tenantUrl`. */
  async create(connector: string, ttlSeconds: number, tenantUrl?: string): Promise<NewSetupLink> {
    const linkId = randomBytes(16).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const created = this.now();
    const expires = new Date(created.getTime() + ttlSeconds * 1000);
    const item: LinkItem = {
      ...keys.setupLink(connector, linkId),
      linkId,
      secretHash: hashSecret(secret),
      createdAt: created.toISOString(),
      expiresAt: expires.toISOString(),
      ...(tenantUrl ? { tenantUrl } : {}),
      [TABLE.ttlAttribute]: Math.floor(expires.getTime() / 1000) + TTL_GRACE_SECONDS,
    } as LinkItem;
    await run(() => this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' })));
    return { ...toLink(connector, item), secret };
  }

  /** The link, when `linkId` exists and `secret` is its secret; undefined otherwise (no oracle). */
  async find(connector: string, linkId: string, secret: string): Promise<SetupLink | undefined> {
    if (!LINK_ID.test(linkId) || !LINK_SECRET.test(secret)) return undefined;
    const out = await run(() => this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.setupLink(connector, linkId), ConsistentRead: true })));
    const item = out.Item as LinkItem | undefined;
    if (!item || !sameHash(item.secretHash, hashSecret(secret))) return undefined;
    return toLink(connector, item);
  }

  /**
   * Spends the link: sets `revealedAt` if it is still open. Returns the link as it is afterwards
   * (state `revealed` with this call's time when this call spent it) or undefined for a wrong secret.
   */
  async reveal(connector: string, linkId: string, secret: string): Promise<{ link: SetupLink; spent: boolean } | undefined> {
    if (!LINK_ID.test(linkId) || !LINK_SECRET.test(secret)) return undefined;
    // The condition checks all a reveal needs (this secret, open, not expired): one write when the
    // link is spent, and a read only to say why it was not.
    try {
      const out = await run(() =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.setupLink(connector, linkId),
            UpdateExpression: 'SET revealedAt = :now',
            ConditionExpression: 'secretHash = :h AND attribute_not_exists(revealedAt) AND attribute_not_exists(revokedAt) AND expiresAt > :now',
            ExpressionAttributeValues: { ':now': this.now().toISOString(), ':h': hashSecret(secret) },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { link: toLink(connector, out.Attributes as LinkItem), spent: true };
    } catch (e) {
      if (!isStorageError(e) || e.kind !== 'conditionFailed') throw e;
      const link = await this.find(connector, linkId, secret);
      return link && { link, spent: false };
    }
  }

  /** Every link of the connector (newest last), whatever its state. */
  async list(connector: string): Promise<SetupLink[]> {
    const items = (await queryAll(
      { doc: this.doc, table: this.tableName },
      { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.setupLinkPartition(connector) }, ConsistentRead: true },
    )) as unknown as LinkItem[];
    return items.map((i) => toLink(connector, i)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The links that can still reveal the token. */
  async open(connector: string): Promise<SetupLink[]> {
    const now = this.now();
    return (await this.list(connector)).filter((l) => linkState(l, now) === 'open');
  }

  /** Revokes every open link of the connector; returns how many. */
  async revokeAll(connector: string): Promise<number> {
    let n = 0;
    for (const link of await this.open(connector)) {
      try {
        await run(() =>
          this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.setupLink(connector, link.linkId),
              UpdateExpression: 'SET revokedAt = :now',
              ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revokedAt) AND attribute_not_exists(revealedAt)',
              ExpressionAttributeValues: { ':now': this.now().toISOString() },
            }),
          ),
        );
        n++;
      } catch (e) {
        if (!isStorageError(e) || e.kind !== 'conditionFailed') throw e; // revealed meanwhile
      }
    }
    return n;
  }
}
