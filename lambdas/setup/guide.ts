/**
 * What the setup page tells the identity provider's admin about one connector, generated from the
 * connector's profile — the same definition (built-in or configured, `scim:profiles`) the SCIM
 * Lambdas apply — so the page cannot describe an app differently from how the endpoint treats it.
 *
 * The attribute table lists what the admin has to act on in Entra ID's or Okta's attribute
 * mappings: the attributes the endpoint requires, the extension attributes it accepts (with the
 * full name the mapping's target needs), what it ignores once set, what it drops when invalid.
 */
import type { ProfileShape } from '../connectors/rules.js';

export interface AttributeRow {
  /** The attribute as a mapping target names it (`emails`, `urn:…:SpokeCustom:2.0:User:startDate`). */
  readonly attribute: string;
  readonly rule: 'required' | 'extension' | 'ignored once set' | 'dropped when invalid';
  readonly note: string;
}

export interface SetupGuide {
  readonly profile: string;
  readonly description: string;
  readonly groups: boolean;
  /** What disabling a user in the identity provider does here. */
  readonly deactivation: 'keep' | 'delete';
  readonly attributes: readonly AttributeRow[];
}

export function setupGuide(shape: Pick<ProfileShape, 'profile' | 'deactivation' | 'offers'>): SetupGuide {
  const p = shape.profile;
  const user = p.rules?.User;
  const rows: AttributeRow[] = [{ attribute: 'userName', rule: 'required', note: 'Unique per connector, case-insensitive (RFC 7643 §4.1)' }];
  for (const path of user?.required ?? []) if (path !== 'userName') rows.push({ attribute: path, rule: 'required', note: 'Requests without it are refused (400 invalidValue)' });
  for (const schema of p.extensions?.User ?? []) {
    for (const a of schema.attributes) rows.push({ attribute: `${schema.id}:${a.name}`, rule: 'extension', note: a.description });
  }
  for (const path of user?.immutable ?? []) rows.push({ attribute: path, rule: 'ignored once set', note: 'Later changes are ignored; the first value stays' });
  for (const r of user?.dropInvalid ?? []) rows.push({ attribute: r.path, rule: 'dropped when invalid', note: `Kept only when ${r.description}` });
  return { profile: p.name, description: p.description, groups: shape.offers('Group'), deactivation: shape.deactivation, attributes: rows };
}
