import type { CallSnapshot } from '../call/callState.ts';
import { canChooseOutput } from '../call/local/media.ts';
import type { DeviceKind, DeviceOption } from '../call/local/media.ts';

interface Props {
  snap: CallSnapshot;
  onSelect(kind: DeviceKind, deviceId: string): void;
  /** Prefix of the fields' ids, for a second set on the same page; default `pick`. */
  idPrefix?: string;
}

function Picker(props: {
  id: string;
  label: string;
  options: DeviceOption[];
  value: string | undefined;
  onChange(deviceId: string): void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value ?? ''}
        disabled={props.options.length === 0}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      >
        {props.options.length === 0 && <option value="">None available</option>}
        {props.options.map((d) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Microphone, camera and, where the browser can send sound to a chosen output (setSinkId),
 * speaker. Unset, a speaker is the system's default (the `default` entry lists it first).
 */
export function DevicePickers({ snap, onSelect, idPrefix = 'pick' }: Props) {
  const speakers = snap.devices.speakers;
  return (
    <div class="pickers">
      <Picker
        id={`${idPrefix}-mic`}
        label="Microphone"
        options={snap.devices.microphones}
        value={snap.selected.audio}
        onChange={(id) => onSelect('audio', id)}
      />
      <Picker
        id={`${idPrefix}-cam`}
        label="Camera"
        options={snap.devices.cameras}
        value={snap.selected.video}
        onChange={(id) => onSelect('video', id)}
      />
      {canChooseOutput() && speakers.length > 0 && (
        <Picker
          id={`${idPrefix}-speaker`}
          label="Speaker"
          options={speakers}
          value={snap.selected.output ?? speakers[0]?.deviceId}
          onChange={(id) => onSelect('output', id)}
        />
      )}
    </div>
  );
}
