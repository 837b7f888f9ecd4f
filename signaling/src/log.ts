/**
 * Structured one-line JSON logs on stderr. Fields are chosen by the caller: never pass a
 * password, token, host key or TURN secret.
 */
export interface Log {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLog(write: (line: string) => void = (l) => process.stderr.write(l)): Log {
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}): void =>
      write(`${JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields })}\n`);
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

/** For tests: drops info, keeps warnings and errors visible. */
export const quietLog: Log = {
  info: () => undefined,
  warn: (msg, fields) => process.stderr.write(`warn: ${msg} ${JSON.stringify(fields ?? {})}\n`),
  error: (msg, fields) => process.stderr.write(`error: ${msg} ${JSON.stringify(fields ?? {})}\n`),
};
