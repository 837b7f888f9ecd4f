import type { CallSnapshot } from '../call/callState.ts';
import type { DeviceOption, MediaKind } from '../call/local/media.ts';

interface Props {
  snap: CallSnapshot;
  onSelect(kind: MediaKind, deviceId: string): void;
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

export function DevicePickers({ snap, onSelect }: Props) {
  return (
    <div class="pickers">
      <Picker
        id="pick-mic"
        label="Microphone"
        options={snap.devices.microphones}
        value={snap.selected.audio}
        onChange={(id) => onSelect('audio', id)}
      />
      <Picker
        id="pick-cam"
        label="Camera"
        options={snap.devices.cameras}
        value={snap.selected.video}
        onChange={(id) => onSelect('video', id)}
      />
    </div>
  );
}
