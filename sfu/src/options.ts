import os from 'node:os';
import type { SfuLog, SfuOptions } from './api.ts';
import { DEFAULT_WATCHDOG, type WatchdogTiming } from './watchdog.ts';

/** SfuOptions with every default filled in; see SfuOptions for the meaning of each. */
export interface ResolvedSfuOptions {
  workers: number;
  listenIp: string;
  announcedIp: string | undefined;
  /** 0: each WebRtcServer takes a free port in rtcMinPort..rtcMaxPort. */
  webRtcPortBase: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  watchdog: WatchdogTiming;
  log: SfuLog;
}

/** Default range for worker ports (mediasoup's own default is 10000-59999). */
export const DEFAULT_RTC_MIN_PORT = 40000;
export const DEFAULT_RTC_MAX_PORT = 49999;

// The default log when the host passes none: the one place this package writes to the console.
/* eslint-disable no-console */
const consoleLog: SfuLog = {
  info: (msg, f) => console.info(msg, f ?? ''),
  warn: (msg, f) => console.warn(msg, f ?? ''),
  error: (msg, f) => console.error(msg, f ?? ''),
};
/* eslint-enable no-console */

function isPort(value: number, allowZero: boolean): boolean {
  return Number.isInteger(value) && value >= (allowZero ? 0 : 1) && value <= 65535;
}

/** Fills in defaults and fails fast, naming the bad option, on a configuration that cannot work. */
export function resolveSfuOptions(options: SfuOptions): ResolvedSfuOptions {
  const resolved: ResolvedSfuOptions = {
    workers: options.workers ?? Math.max(1, os.availableParallelism()),
    listenIp: options.listenIp ?? '127.0.0.1',
    announcedIp: options.announcedIp,
    webRtcPortBase: options.webRtcPortBase ?? 0,
    rtcMinPort: options.rtcMinPort ?? DEFAULT_RTC_MIN_PORT,
    rtcMaxPort: options.rtcMaxPort ?? DEFAULT_RTC_MAX_PORT,
    watchdog: options.watchdog ?? DEFAULT_WATCHDOG,
    log: options.log ?? consoleLog,
  };
  const { workers, webRtcPortBase, rtcMinPort, rtcMaxPort } = resolved;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(`sfu: workers must be a positive integer, got ${workers}`);
  }
  if (!isPort(webRtcPortBase, true) || webRtcPortBase + workers - 1 > 65535) {
    throw new Error(`sfu: webRtcPortBase ${webRtcPortBase} + ${workers} workers is not a port`);
  }
  const { intervalMs, timeoutMs } = resolved.watchdog;
  if (!(intervalMs > 0) || !(timeoutMs > 0)) {
    throw new Error(`sfu: watchdog times must be positive, got ${intervalMs} and ${timeoutMs} ms`);
  }
  if (!isPort(rtcMinPort, false) || !isPort(rtcMaxPort, false) || rtcMinPort > rtcMaxPort) {
    throw new Error(`sfu: bad rtc port range ${rtcMinPort}..${rtcMaxPort}`);
  }
  return resolved;
}
