// The server's CPU as its /metrics tells it: the signaling process
// (`parley_process_cpu_seconds_total`) plus every SFU worker (`parley_sfu_worker_cpu_seconds`).
// Undefined when /metrics cannot be read (it is served on loopback listeners, or with
// METRICS_TOKEN): a load run then reports no server CPU rather than failing.

const PROCESS = 'parley_process_cpu_seconds_total';
const WORKERS = 'parley_sfu_worker_cpu_seconds';

/**
 * Sums the samples of the CPU series in a Prometheus text exposition; `workersOnly` leaves
 * out the signaling process (when it is the bots' process too).
 */
export function cpuSecondsOf(text: string, workersOnly = false): number {
  const SERIES = workersOnly ? [WORKERS] : [PROCESS, WORKERS];
  let total = 0;
  for (const line of text.split('\n')) {
    const name = /^([a-z_]+)[{ ]/.exec(line)?.[1];
    if (!name || !SERIES.includes(name)) continue;
    const value = Number(line.trim().split(/\s+/).pop());
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

export async function serverCpuSeconds(
  url: string,
  token?: string,
  workersOnly = false,
): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/metrics`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (!res.ok) return undefined;
    return cpuSecondsOf(await res.text(), workersOnly);
  } catch {
    return undefined;
  }
}
