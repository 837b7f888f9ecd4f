// Watches a broadcast's public playlist the way a player would see it: which segments appear,
// how long they are, and the longest wait between two of them.

import { readFile } from 'node:fs/promises';

export interface HlsWatch {
  /** Media seconds published since the watch started. */
  mediaSeconds: number;
  segments: number;
  /** Longest gap between two new segments, ms. */
  maxGapMs: number;
  stop(): void;
}

interface Entry {
  uri: string;
  duration: number;
}

function parse(text: string): Entry[] {
  const entries: Entry[] = [];
  let duration = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#')) entries.push({ uri: line, duration });
  }
  return entries;
}

export function watchPlaylist(file: string, pollMs = 200): HlsWatch {
  const seen = new Set<string>();
  let primed = false;
  let lastNew = performance.now();
  const watch: HlsWatch = {
    mediaSeconds: 0,
    segments: 0,
    maxGapMs: 0,
    stop: () => clearInterval(timer),
  };
  const poll = async (): Promise<void> => {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const e of parse(text)) {
      if (seen.has(e.uri)) continue;
      seen.add(e.uri);
      // What was already listed when the watch began is not measured.
      if (!primed) continue;
      const now = performance.now();
      watch.maxGapMs = Math.max(watch.maxGapMs, now - lastNew);
      lastNew = now;
      watch.segments += 1;
      watch.mediaSeconds += e.duration;
    }
    primed = true;
  };
  void poll();
  const timer = setInterval(() => void poll(), pollMs);
  return watch;
}
