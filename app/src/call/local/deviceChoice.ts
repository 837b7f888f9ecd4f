import type { DeviceKind, DeviceLists, DeviceOption } from './media.ts';

/** A device the user picked, as this browser remembers it (issue 19: choices survive a visit). */
export interface Remembered {
  deviceId: string;
  /** Device ids can change (a browser's data cleared, another USB port); the label rarely does. */
  label: string;
}

export type RememberedDevices = Partial<Record<DeviceKind, Remembered>>;

const KINDS: readonly DeviceKind[] = ['audio', 'video', 'output'];

/** Chromium's stand-in for "whatever the system uses": it follows the system, so it never goes. */
const SYSTEM_DEFAULT = 'default';

/** Reads what localStorage held; anything malformed is forgotten rather than trusted. */
export function readRemembered(raw: string | null): RememberedDevices {
  let parsed: unknown;
  try {
    parsed = raw === null ? null : JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const out: RememberedDevices = {};
  for (const kind of KINDS) {
    const entry = (parsed as Record<string, unknown>)[kind];
    if (typeof entry !== 'object' || entry === null) continue;
    const { deviceId, label } = entry as Record<string, unknown>;
    if (typeof deviceId === 'string' && deviceId !== '' && typeof label === 'string') {
      out[kind] = { deviceId, label };
    }
  }
  return out;
}

export function remember(
  all: RememberedDevices,
  kind: DeviceKind,
  option: DeviceOption,
): RememberedDevices {
  return { ...all, [kind]: { deviceId: option.deviceId, label: option.label } };
}

export function optionsOf(lists: DeviceLists, kind: DeviceKind): DeviceOption[] {
  if (kind === 'audio') return lists.microphones;
  if (kind === 'video') return lists.cameras;
  return lists.speakers;
}

/** The remembered device among those present: same id, else same label; undefined if absent. */
export function resolveRemembered(
  options: DeviceOption[],
  saved: Remembered | undefined,
): string | undefined {
  if (!saved) return undefined;
  const byId = options.find((o) => o.deviceId === saved.deviceId);
  const byLabel = options.find((o) => o.label === saved.label);
  return (byId ?? byLabel)?.deviceId;
}

/**
 * Where to go when the device `goneId` stopped: the system default where the browser lists
 * one (it follows the system to a device that is still there), else the first other device.
 */
export function fallbackDevice(
  options: DeviceOption[],
  goneId: string | undefined,
): DeviceOption | undefined {
  return (
    options.find((o) => o.deviceId === SYSTEM_DEFAULT) ?? options.find((o) => o.deviceId !== goneId)
  );
}

/** The kinds whose selected device is no longer listed (unplugged). */
export function goneKinds(
  lists: DeviceLists,
  selected: Partial<Record<DeviceKind, string>>,
): DeviceKind[] {
  return KINDS.filter((kind) => {
    const id = selected[kind];
    return id !== undefined && !optionsOf(lists, kind).some((o) => o.deviceId === id);
  });
}

export function deviceNoun(kind: DeviceKind): string {
  if (kind === 'audio') return 'microphone';
  if (kind === 'video') return 'camera';
  return 'speaker';
}

/** What the call says after a device went away, and what it uses instead. */
export function fallbackNotice(kind: DeviceKind, to: DeviceOption | undefined): string {
  const noun = deviceNoun(kind);
  return to
    ? `Your ${noun} was disconnected; using ${to.label} now.`
    : `Your ${noun} was disconnected, and no other ${noun} was found.`;
}
