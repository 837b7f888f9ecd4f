import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RoomMode } from '@parley/protocol';

/** Point-in-time figures read at scrape time (cheaper than keeping gauges in step). */
export interface MetricsSources {
  rooms(): Iterable<{ mode: RoomMode; admitted: number; waiting: number }>;
  connections(): number;
  /** mediasoup workers, when the SFU runs. */
  sfuWorkers?(): Promise<{ pid: number; cpuSeconds: number; maxRssBytes: number }[]>;
  sfuObjects?(): { transports: number; producers: number; consumers: number };
  broadcasts?(): { live: number; secondsSinceNewestSegment: number[] };
}

/**
 * Prometheus metrics for one server instance, on its own registry (so that two servers in one
 * process, as in tests, never collide). Names follow the `parley_` prefix and base units.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly messages = new Counter({
    name: 'parley_ws_messages_total',
    help: 'WebSocket messages, by direction (in: from clients, out: to clients)',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'parley_errors_total',
    help: 'Error replies sent to clients, by protocol error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly switches = new Histogram({
    name: 'parley_mode_switch_seconds',
    help: 'Server-side duration of room mode switches, by target mode',
    labelNames: ['to'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly turnCredentials = new Counter({
    name: 'parley_turn_credentials_minted_total',
    help: 'TURN credentials minted for peers',
    registers: [this.registry],
  });
  readonly resumes = new Counter({
    name: 'parley_resumes_total',
    help: 'Session resume attempts, by result (ok, failed)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly joins = new Counter({
    name: 'parley_joins_total',
    help: 'Peers admitted to rooms',
    registers: [this.registry],
  });
  readonly limitHits = new Counter({
    name: 'parley_limit_hits_total',
    help: 'Requests refused (or, sign_in_slowdown, delayed) by a limit, by limit (issue #14)',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
    this.#gauges(sources);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #gauges(sources: MetricsSources): void {
    const registers = [this.registry];
    new Gauge({
      name: 'parley_rooms',
      help: 'Rooms with someone in them, by mode',
      labelNames: ['mode'] as const,
      registers,
      collect() {
        const counts = { mesh: 0, sfu: 0 };
        for (const room of sources.rooms()) counts[room.mode]++;
        for (const [mode, n] of Object.entries(counts)) this.set({ mode }, n);
      },
    });
    new Gauge({
      name: 'parley_peers',
      help: 'Peers in rooms, by state (admitted, waiting)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        let admitted = 0;
        let waiting = 0;
        for (const room of sources.rooms()) {
          admitted += room.admitted;
          waiting += room.waiting;
        }
        this.set({ state: 'admitted' }, admitted);
        this.set({ state: 'waiting' }, waiting);
      },
    });
    new Gauge({
      name: 'parley_ws_connections',
      help: 'Open WebSocket connections',
      registers,
      collect() {
        this.set(sources.connections());
      },
    });
    this.#sfuGauges(sources);
  }

  #sfuGauges(sources: MetricsSources): void {
    const registers = [this.registry];
    new Gauge({
      name: 'parley_sfu_worker_cpu_seconds',
      help: 'CPU time used by each mediasoup worker (user + system)',
      labelNames: ['pid'] as const,
      registers,
      async collect() {
        this.reset();
        for (const w of (await sources.sfuWorkers?.()) ?? [])
          this.set({ pid: String(w.pid) }, w.cpuSeconds);
      },
    });
    new Gauge({
      name: 'parley_sfu_worker_max_rss_bytes',
      help: 'Peak resident memory of each mediasoup worker',
      labelNames: ['pid'] as const,
      registers,
      async collect() {
        this.reset();
        for (const w of (await sources.sfuWorkers?.()) ?? [])
          this.set({ pid: String(w.pid) }, w.maxRssBytes);
      },
    });
    new Gauge({
      name: 'parley_sfu_objects',
      help: 'mediasoup transports, producers and consumers across rooms',
      labelNames: ['kind'] as const,
      registers,
      collect() {
        const o = sources.sfuObjects?.() ?? { transports: 0, producers: 0, consumers: 0 };
        for (const [kind, n] of Object.entries(o)) this.set({ kind }, n);
      },
    });
  }
}
