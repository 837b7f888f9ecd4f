/**
 * Structured one-line JSON logs on stderr. Fields are chosen by the caller, who should never
 * pass a password, token, host key or TURN secret; `redact` is the net under that rule.
 */
export interface Log {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /**
   * A log whose every line also carries `fields` (a room's `roomId`, then a peer's `peerId`),
   * so callers never repeat them by hand. A line's own field of the same name wins.
   */
  child(fields: Record<string, unknown>): Log;
}

export const REDACTED = '[redacted]';

/**
 * Field names whose values are never written: passwords, secrets, tokens (access, refresh,
 * resume, viewer), keys (host keys), Authorization and Cookie headers, TURN credentials and
 * refresh cookies.
 */
const SECRET_WORDS = 'pass|secret|token|key|authorization|cookie|credential|refresh';
const SECRET_NAME = new RegExp(SECRET_WORDS, 'i');
// Bounded repetition: the scrub runs over arbitrary text and must stay linear.
const NAME = String.raw`[\w$.-]{0,40}(?:${SECRET_WORDS})[\w$.-]{0,40}`;

/**
 * Secrets inside free text, which is where they slip through: an error message that quotes the
 * request (`"password":"..."`), a URL with `?access_token=`, an `Authorization: Bearer` header,
 * a JWT on its own.
 */
const TEXT_RULES: [RegExp, string][] = [
  // First, so that the name rules below cannot split "Authorization: Bearer <token>".
  [/\b(Bearer|Basic)\s+[\w.~+/-]+=*/gi, `$1 ${REDACTED}`],
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, REDACTED],
  // "name": "value" or "name": value, as JSON or a JS object printed into a message.
  [
    new RegExp(
      String.raw`(["']?${NAME}["']?\s*:\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&}\]]+)`,
      'gi',
    ),
    `$1"${REDACTED}"`,
  ],
  // name=value: query strings, form bodies, cookies, environment dumps.
  [new RegExp(String.raw`(${NAME}=)[^\s&;,"']*`, 'gi'), `$1${REDACTED}`],
];

/** Bounds the walk: logs are not the place for deep structures, and cycles must end. */
const MAX_DEPTH = 6;
/** Longer strings are cut: a log line is not the place for a payload. */
const MAX_STRING = 2000;

function scrub(text: string): string {
  let out =
    text.length > MAX_STRING
      ? `${text.slice(0, MAX_STRING)}[+${text.length - MAX_STRING} chars]`
      : text;
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A copy of `value` safe to write: fields with a secret-looking name become "[redacted]" at any
 * depth, strings are scrubbed of embedded secrets, errors become {name, message}, and what JSON
 * cannot hold (bigint, functions, cycles, deep nesting) becomes a short description.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return `[${typeof value}]`;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (value instanceof Error) {
    const error: Record<string, unknown> = { name: value.name, message: scrub(value.message) };
    if (value.cause !== undefined) error.cause = redact(value.cause, depth + 1);
    return error;
  }
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return redact(toJSON.call(value), depth + 1);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      SECRET_NAME.test(k) ? REDACTED : redact(v, depth + 1),
    ]),
  );
}

/** One JSON line; `t`, `level` and `msg` cannot be overwritten by a field of the same name. */
function line(
  level: string,
  msg: string,
  fields: Record<string, unknown>,
  bound: Record<string, unknown> = {},
): string {
  const head = { t: new Date().toISOString(), level, msg: scrub(msg) };
  try {
    const own = redact(fields) as object;
    return JSON.stringify(Object.assign({ ...head }, redact(bound) as object, own, head));
  } catch (error) {
    // Logging must never throw into the code that logs (a getter that throws, say).
    return JSON.stringify({ ...head, logError: scrub(String(error)) });
  }
}

export function createLog(
  write: (line: string) => void = (l) => process.stderr.write(l),
  bound: Record<string, unknown> = {},
): Log {
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}): void =>
      write(`${line(level, msg, fields, bound)}\n`);
  return {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => createLog(write, { ...bound, ...fields }),
  };
}

/** For tests: drops info, keeps warnings and errors visible (redacted like any other line). */
export const quietLog: Log = quiet({});

function quiet(bound: Record<string, unknown>): Log {
  const print =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      process.stderr.write(`${level}: ${scrub(msg)} ${safeJson(fields, bound)}\n`);
  return {
    info: () => undefined,
    warn: print('warn'),
    error: print('error'),
    child: (fields) => quiet({ ...bound, ...fields }),
  };
}

function safeJson(fields: Record<string, unknown>, bound: Record<string, unknown>): string {
  try {
    const own = redact(fields) as object;
    return JSON.stringify(Object.assign(redact(bound) as object, own));
  } catch (error) {
    return scrub(String(error));
  }
}
