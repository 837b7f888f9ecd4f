import type { StatsReport } from './linkStats.ts';

/** A stats object as the tests write it: an id, a type and any fields. */
export type FakeStat = { id: string; type: string } & Record<string, unknown>;

/** An RTCStatsReport stand-in for the tests (a Map of stats objects by id). */
export function fakeReport(stats: FakeStat[]): StatsReport {
  const byId = new Map(stats.map((s) => [s.id, s]));
  return { forEach: (cb) => byId.forEach((s) => cb(s)), get: (id) => byId.get(id) };
}
