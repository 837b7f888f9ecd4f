import { useState } from 'preact/hooks';
import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { successors } from '../call/features/moderation/lobbyState.ts';
import { background } from '../util/background.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/**
 * Leave. The last host with others still in the call is asked first whom to hand the host role
 * to (issue 19: with the host gone, nobody could let anyone in); leaving without choosing is
 * fine too, and the server then makes the longest-present co-host or person host shortly.
 */
export function LeaveButton({ controller, snap }: Props) {
  const [asking, setAsking] = useState(false);
  const choices = successors(snap.role, snap.peers);
  return (
    <>
      <button
        type="button"
        class="danger leave"
        aria-haspopup={choices.length > 0 ? 'dialog' : undefined}
        onClick={() => (choices.length > 0 ? setAsking(true) : controller.leave())}
      >
        Leave
      </button>
      {asking && choices.length > 0 && (
        <HandOverDialog
          choices={choices}
          onCancel={() => setAsking(false)}
          onLeave={() => controller.leave()}
          onHandOver={(peerId) =>
            background(
              (async () => {
                if (await controller.moderation.setRole(peerId, 'host')) controller.leave();
                else setAsking(false); // the reason is in the host notice
              })(),
              'handing the host role over',
            )
          }
        />
      )}
    </>
  );
}

interface DialogProps {
  choices: CallSnapshot['peers'];
  onCancel(): void;
  onLeave(): void;
  onHandOver(peerId: string): void;
}

function HandOverDialog({ choices, onCancel, onLeave, onHandOver }: DialogProps) {
  const [chosen, setChosen] = useState(choices[0]?.peerId ?? '');
  const first = choices[0]?.name ?? '';
  return (
    <ConfirmDialog
      title="Leave the meeting?"
      text={
        'You are the host. Choose who runs the meeting after you: they can let people in, end ' +
        `the meeting, go live and record. If you just leave, ${first} becomes the host shortly.`
      }
      confirm="Make host and leave"
      other={{ label: 'Just leave', onClick: onLeave }}
      onConfirm={() => onHandOver(chosen)}
      onCancel={onCancel}
    >
      <label class="field">
        New host
        <select value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
          {choices.map((p) => (
            <option key={p.peerId} value={p.peerId}>
              {p.name}
              {p.role === 'cohost' ? ' (co-host)' : ''}
            </option>
          ))}
        </select>
      </label>
    </ConfirmDialog>
  );
}
