// The console table and BENCHMARKS.md, both from scenario results.

import type { Machine } from './machine.ts';
import { meets, type Figure, type Scenario, type ScenarioResult } from '../types.ts';

const fmt = (v: number): string =>
  Number.isFinite(v)
    ? Math.abs(v) >= 1000
      ? Math.round(v).toLocaleString('en-US')
      : String(v)
    : 'n/a';

const verdict = (f: Figure): string => {
  const ok = meets(f);
  return ok === undefined ? '' : ok ? 'yes' : '**no**';
};

const target = (f: Figure): string =>
  f.target ? `${f.target.op} ${fmt(f.target.value)} ${f.unit}` : '';

/** A plain-text table for the terminal. */
export function consoleTable(results: readonly ScenarioResult[]): string {
  const rows = results.flatMap((r) =>
    r.figures.map((f) => [
      r.scenario,
      f.label,
      `${fmt(f.value)} ${f.unit}`,
      target(f),
      verdict(f).replace(/\*/g, ''),
    ]),
  );
  const all = [['scenario', 'figure', 'value', 'target', 'meets'], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

function mdTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string =>
    `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function isRowList(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
  );
}

/**
 * Step tables: every array of flat objects found in `details` (one level of nesting), except
 * under `raw` (per-run data kept for the JSON only).
 */
function detailTables(details: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (key === 'raw') continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (isRowList(value)) {
      const columns = [...new Set(value.flatMap((row) => Object.keys(row)))];
      const cell = (v: unknown): string =>
        typeof v === 'number'
          ? fmt(v)
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v ?? '');
      out.push(
        `\`${name}\`:\n\n${mdTable(
          columns,
          value.map((row) => columns.map((c) => cell(row[c]))),
        )}`,
      );
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && !prefix) {
      out.push(...detailTables(value as Record<string, unknown>, name));
    }
  }
  return out;
}

function machineSection(m: Machine): string {
  return mdTable(
    ['', ''],
    [
      ['CPU', m.cpu],
      ['cores', String(m.cores)],
      ['memory', `${m.memoryGiB} GiB`],
      ['OS', m.os],
      ['Node', m.node],
      ['Chromium', m.chromium],
      ['FFmpeg', m.ffmpeg],
      ['mediasoup', m.mediasoup],
      ['coturn', m.coturn],
    ],
  );
}

function scenarioSection(s: Scenario, r: ScenarioResult | undefined): string {
  const parts = [
    `### ${s.title} (\`npm run bench -- ${s.name}\`)`,
    s.description,
    `**Target:** ${s.target}. **Anchor:** ${s.anchor}`,
  ];
  if (!r) {
    parts.push('_Not run on this machine yet._');
  } else {
    parts.push(
      `Last run ${r.startedAt} (${Math.round(r.durationS)} s, 1-minute load average ${r.loadAverageAtStart?.toFixed(2) ?? '?'} at start${r.loadAverageMax === undefined ? '' : `, at most ${r.loadAverageMax.toFixed(2)} during the run`}).`,
    );
    parts.push(
      mdTable(
        ['figure', 'value', 'target', 'meets'],
        r.figures.map((f) => [f.label, `${fmt(f.value)} ${f.unit}`, target(f), verdict(f)]),
      ),
    );
    parts.push(...detailTables(r.details));
    if (r.notes.length) parts.push(r.notes.map((n) => `- ${n}`).join('\n'));
  }
  if (s.analysis) parts.push(`#### What the numbers say\n\n${s.analysis}`);
  return parts.join('\n\n');
}

/**
 * What an earlier BENCHMARKS.md says about each scenario, by name: its section and its summary
 * rows. Results are not committed, so on a fresh checkout running one scenario must not wipe
 * the others' figures: a scenario with no stored result keeps what the file already said.
 */
export interface EarlierReport {
  sections: Map<string, string>;
  summaryRows: Map<string, string[]>;
}

export function parseEarlierReport(md: string, scenarios: readonly Scenario[]): EarlierReport {
  const sections = new Map<string, string>();
  const summaryRows = new Map<string, string[]>();
  for (const chunk of md.split(/\n(?=### )/).slice(1)) {
    const name = /^### .*\(`npm run bench -- ([a-z0-9-]+)`\)/.exec(chunk)?.[1];
    if (name) sections.set(name, chunk.trimEnd());
  }
  const summary = md.split('\n## Summary\n')[1]?.split('\n## ')[0] ?? '';
  for (const s of scenarios) {
    const prefix = `| ${s.title.replace(/\|/g, '\\|')} |`;
    const rows = summary.split('\n').filter((line) => line.startsWith(prefix));
    if (rows.length) summaryRows.set(s.name, rows);
  }
  return { sections, summaryRows };
}

export function renderBenchmarksMd(
  scenarios: readonly Scenario[],
  results: ReadonlyMap<string, ScenarioResult>,
  machine: Machine,
  earlier: EarlierReport = { sections: new Map(), summaryRows: new Map() },
): string {
  const header = mdTable(['scenario', 'figure', 'target', 'meets', 'anchor'], []);
  const summary = scenarios.flatMap((s) => {
    const r = results.get(s.name);
    const kept = earlier.summaryRows.get(s.name);
    if (!r && kept) return kept;
    const headline = r?.figures.filter((f) => f.target) ?? [];
    if (!r) return [mdTable(['', '', '', '', ''], [[s.title, 'not run yet', '', '', s.anchor]]).split('\n')[2] as string]; // prettier-ignore
    const shown = headline.length ? headline : r.figures.slice(0, 1);
    const rows = shown.map((f) => [
      s.title,
      `${f.label}: **${fmt(f.value)} ${f.unit}**`,
      target(f) || s.target,
      verdict(f),
      s.anchor,
    ]);
    return mdTable(['', '', '', '', ''], rows).split('\n').slice(2);
  });
  const section = (s: Scenario): string => {
    const r = results.get(s.name);
    return (!r && earlier.sections.get(s.name)) || scenarioSection(s, r);
  };
  return (
    [
      '# Benchmarks',
      '<!-- Generated by `npm run bench` (tests/bench/). Edit the scenarios, not this file. -->',
      'What one Parley server does on one machine, measured by `npm run bench` (every scenario) or `npm run bench -- <name>` (one; add `--quiet=2` to wait for a quiet machine first, `--smoke` for a few iterations that only print). Raw results: `tests/bench/results/*.json` (not committed). All traffic stays on 127.0.0.1. The browser scenarios (join, switch, glass, PWA) drive the real app in headless Chromium (`playwright-core`) with fake or canvas cameras; their numbers include Chromium sharing the same two cores with the server.',
      '## Machine',
      machineSection(machine),
      '## Summary',
      [header, ...summary].join('\n'),
      '## Scenarios',
      ...scenarios.map(section),
    ].join('\n\n') + '\n'
  );
}
