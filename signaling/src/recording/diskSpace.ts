import { statfs } from 'node:fs/promises';

/** Bytes free for this process under `dir` (an interface, so a test can say "the disk is full"). */
export type FreeSpaceProbe = (dir: string) => Promise<number>;

/** The file system's own answer: blocks available to an unprivileged user. */
export const statfsFreeSpace: FreeSpaceProbe = async (dir) => {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
};
