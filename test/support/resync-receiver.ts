/**
 * A consumer of change events that follows the README's receiver algorithm (README "Snapshot
 * resync"), in memory: what the race tests deliver events to, in adversarial orders, before
 * comparing what it holds with the table.
 *  - users/groups: newest `version` wins; at the same version a deletion beats a snapshot;
 *  - memberships: newest `version` wins (the group version that added the membership); at the same
 *    version live events follow `sequence`, and a member.removed beats a member.snapshot;
 *  - prune after `resync.completed` once every snapshot it counts has arrived: what is in the run's
 *    scope, was not sent by the run, and had no live event since the run started (minus the
 *    clock margin) is gone.
 */
import type { ChangeEvent } from '../../lambdas/events/schema.js';

/** Clock skew allowed between the machine that ran the resync (`startedAt`) and AWS (live `time`). */
export const PRUNE_MARGIN_MS = 5 * 60_000;

interface Entry {
  version: number;
  gone: boolean;
  /** Sequence of the live event that set it (memberships; undefined after a snapshot). */
  sequence?: bigint;
  /** `time` of the last live event applied (ms); undefined when only snapshots set it. */
  liveAt?: number;
  /** Runs that sent this entry. */
  runs: Set<string>;
}

interface Run {
  readonly seen: { users: Set<string>; groups: Set<string>; members: Set<string> };
  marker?: ChangeEvent;
  pruned: boolean;
}

export class ResyncReceiver {
  readonly resources = new Map<string, Entry>();
  readonly memberships = new Map<string, Entry>();
  private readonly runs = new Map<string, Run>();
  private readonly applied = new Set<string>();

  /** `marginMs`: PRUNE_MARGIN_MS by default; 0 in tests where the run and the changes share one clock. */
  constructor(private readonly o: { readonly marginMs?: number } = {}) {}

  /** Present users/groups (`User:<id>`) and memberships (`<group>:<member>`). */
  state(): { resources: string[]; memberships: string[] } {
    const live = (m: Map<string, Entry>) => [...m].filter(([, e]) => !e.gone).map(([k]) => k).sort();
    return { resources: live(this.resources), memberships: live(this.memberships) };
  }

  receive(e: ChangeEvent): void {
    if (this.applied.has(e.eventId)) return; // deduplicate on eventId
    this.applied.add(e.eventId);
    if (e.kind === 'resync.completed') {
      this.run(e.run!).marker = e;
      this.tryPrune(e.run!);
      return;
    }
    const snapshot = e.kind.endsWith('.snapshot');
    const member = e.kind.startsWith('member.');
    const map = member ? this.memberships : this.resources;
    const key = member ? `${e.resourceId}:${e.member!.value}` : `${e.resourceType}:${e.resourceId}`;
    const held = map.get(key);
    const version = e.version ?? 0;
    const gone = e.kind.endsWith('.deleted') || e.kind === 'member.removed';
    const sequence = e.sequence !== undefined ? BigInt(e.sequence) : undefined;
    let newer: boolean;
    if (!held || version > held.version) newer = true;
    else if (version < held.version) newer = false;
    else if (snapshot) newer = !held.gone; // same version: a deletion/removal wins over a snapshot
    else if (member) newer = held.sequence === undefined || (sequence !== undefined && sequence > held.sequence);
    else newer = gone && !held.gone; // same version: only a deletion changes a resource
    const entry: Entry = held ?? { version, gone, runs: new Set() };
    if (newer) {
      entry.version = version;
      entry.gone = gone;
      if (!snapshot) {
        entry.sequence = sequence;
        entry.liveAt = Date.parse(e.time);
      }
    }
    map.set(key, entry);
    if (snapshot) {
      entry.runs.add(e.run!);
      const r = this.run(e.run!);
      r.seen[e.kind === 'user.snapshot' ? 'users' : e.kind === 'group.snapshot' ? 'groups' : 'members'].add(e.eventId);
      this.tryPrune(e.run!);
    }
  }

  private run(id: string): Run {
    let r = this.runs.get(id);
    if (!r) this.runs.set(id, (r = { seen: { users: new Set(), groups: new Set(), members: new Set() }, pruned: false }));
    return r;
  }

  /** Prunes once the marker and every snapshot it counts have arrived (they may come in any order). */
  private tryPrune(runId: string): void {
    const r = this.run(runId);
    const m = r.marker;
    if (!m || r.pruned) return;
    const c = m.counts!;
    if (r.seen.users.size < c.users || r.seen.groups.size < c.groups || r.seen.members.size < c.members) return;
    r.pruned = true;
    const since = Date.parse(m.startedAt!) - (this.o.marginMs ?? PRUNE_MARGIN_MS);
    const scope = new Set(m.scope);
    const prune = (map: Map<string, Entry>, inScope: (key: string) => boolean) => {
      for (const [key, e] of map) {
        if (e.gone || !inScope(key) || e.runs.has(runId)) continue;
        if (e.liveAt !== undefined && e.liveAt >= since) continue; // changed during the run: the live events decide
        e.gone = true;
      }
    };
    prune(this.resources, (k) => (k.startsWith('User:') ? scope.has('users') : scope.has('groups')));
    prune(this.memberships, () => scope.has('members'));
  }
}
