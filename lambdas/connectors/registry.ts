/**
 * The profile registry: every profile a connector may name — the built-in ones (profiles/*.ts)
 * and the ones declared in configuration (`scim:profiles`, turned into ConnectorProfiles by
 * profile-spec.ts). It is built once where the configuration is read (the CDK app, `npm start`,
 * each Lambda container, `scim-admin`; factories in profiles.ts) and handed to whatever needs a
 * profile; there is no global one. Profiles are resolved on first use and shared by every request.
 * Only `origin` tells where a profile came from, for operators; nothing that serves requests asks.
 *
 * `resolve` is a parameter so the discovery Lambda can resolve schemas only (rules.ts
 * `resolveShape`): it applies no rule, and its bundle then carries no rule compiler.
 */
import type { ConnectorProfile } from './profile.js';
import { ProfileError, type ProfileShape, type ResolvedProfile } from './rules.js';

export type ProfileOrigin = 'built-in' | 'configured';

interface Entry<P> {
  readonly profile: ConnectorProfile;
  readonly origin: ProfileOrigin;
  resolved?: P;
}

export class ProfileRegistry<P extends ProfileShape = ResolvedProfile> {
  private readonly entries = new Map<string, Entry<P>>();

  /** The built-in profiles plus `configured`; a configured name equal to another name throws ProfileError. */
  constructor(
    private readonly resolve: (profile: ConnectorProfile) => P,
    builtIn: readonly ConnectorProfile[],
    configured: readonly ConnectorProfile[] = [],
  ) {
    for (const profile of builtIn) this.entries.set(profile.name, { profile, origin: 'built-in' });
    for (const profile of configured) {
      const existing = this.entries.get(profile.name);
      if (existing) throw new ProfileError(`profile ${profile.name}: ${existing.origin === 'built-in' ? 'a built-in profile has this name' : 'declared twice'}`);
      this.entries.set(profile.name, { profile, origin: 'configured' });
    }
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  origin(name: string): ProfileOrigin | undefined {
    return this.entries.get(name)?.origin;
  }

  /**
   * Connector name → its resolved profile. Resolves every connector's profile now, so a connector
   * naming an unknown or malformed profile fails where the handlers are built, not on a request.
   */
  forConnectors(connectors: readonly { readonly name: string; readonly profile: string }[]): (connector: string) => P {
    const byName = new Map(connectors.map((c) => [c.name, this.get(c.profile)] as const));
    return (connector) => {
      const p = byName.get(connector);
      if (!p) throw new Error(`unknown connector ${connector}`);
      return p;
    };
  }

  /** The resolved profile; throws ProfileError for an unknown name or a malformed profile. */
  get(name: string): P {
    const entry = this.entries.get(name);
    if (!entry) throw new ProfileError(`unknown profile "${name}"; known: ${this.names.join(', ')}`);
    entry.resolved ??= this.resolve(entry.profile);
    return entry.resolved;
  }
}
