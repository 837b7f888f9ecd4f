import { initialTeamSnapshot } from './teamState.ts';
import type { TeamSnapshot } from './teamState.ts';

type Listener = (snapshot: TeamSnapshot) => void;

/** The team page's plain-data snapshot and its subscribers: every change makes a new object. */
export class TeamStore {
  private snap: TeamSnapshot = initialTeamSnapshot();
  private readonly listeners = new Set<Listener>();

  get current(): TeamSnapshot {
    return this.snap;
  }

  /** Calls `fn` now and after every change, until the returned function is called. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    fn(this.snap);
    return () => this.listeners.delete(fn);
  }

  update(patch: Partial<TeamSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const fn of this.listeners) fn(this.snap);
  }

  /** No more updates reach anyone (the page is going away). */
  close(): void {
    this.listeners.clear();
  }
}
