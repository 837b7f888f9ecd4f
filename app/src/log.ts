/**
 * The app's log: the one module that writes to the browser console (lint's `no-console` holds
 * everywhere else), so that where client diagnostics go can change in one place. Arguments
 * reach the console as given, so errors keep their stack in the devtools.
 */
export const log = {
  info(msg: string, ...details: unknown[]): void {
    console.info(msg, ...details);
  },
  warn(msg: string, ...details: unknown[]): void {
    console.warn(msg, ...details);
  },
  error(msg: string, ...details: unknown[]): void {
    console.error(msg, ...details);
  },
};
