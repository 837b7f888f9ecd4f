// The benchmark harness contract. A scenario is one module exporting a `Scenario`; it is
// registered with one line in scenarios.ts. Browser scenarios plug in the same way.

/** A comparison a figure is held to: `<=` means lower is better. */
export interface Target {
  op: '<=' | '>=';
  value: number;
}

/** One measured number. Headline figures carry a target and appear in the summary table. */
export interface Figure {
  /** Stable machine-readable key, e.g. `us_per_packet_n200`. */
  key: string;
  label: string;
  value: number;
  unit: string;
  target?: Target;
}

/** What `run` returns: figures plus free-form details kept in the JSON result. */
export interface ScenarioOutput {
  figures: Figure[];
  /** Step-by-step data (per N, per load level) for the JSON file and the tables. */
  details: Record<string, unknown>;
  /** Observations: bottlenecks, caveats, why a target is missed. */
  notes: string[];
}

export interface RunOptions {
  /** A few iterations only: checks the scenario works, not how fast it is. */
  smoke: boolean;
  /** Progress lines (stderr in the CLI, silent in tests). */
  log: (line: string) => void;
}

export interface Scenario {
  /** CLI name: `npm run bench -- <name>`. */
  name: string;
  title: string;
  /** How it works, in Markdown (goes into BENCHMARKS.md). */
  description: string;
  /** The target in words, e.g. `<= 10 us per forwarded packet`. */
  target: string;
  /** The comparison figure and where it comes from. */
  anchor: string;
  /**
   * What profiling found about the figures (why a target is missed, what was fixed), in
   * Markdown. Written by hand after a run; BENCHMARKS.md prints it under the numbers.
   */
  analysis?: string;
  /** Names of the binaries it needs (checked before running; a missing one fails its smoke). */
  needs?: string[];
  run(options: RunOptions): Promise<ScenarioOutput>;
}

/** A scenario's output with when and how it ran: the JSON written under results/. */
export interface ScenarioResult extends ScenarioOutput {
  scenario: string;
  machine: import('./lib/machine.ts').Machine;
  smoke: boolean;
  startedAt: string;
  durationS: number;
  /** 1-minute load average when it started (other work on the machine skews CPU figures). */
  loadAverageAtStart?: number;
  /** The highest 1-minute load average seen during the run (sampled every 10 s). */
  loadAverageMax?: number;
}

export function meets(figure: Figure): boolean | undefined {
  if (!figure.target) return undefined;
  const { op, value } = figure.target;
  return op === '<=' ? figure.value <= value : figure.value >= value;
}
