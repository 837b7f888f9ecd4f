import { useState } from 'preact/hooks';

/** navigator.clipboard needs a secure context; fall back to a hidden textarea + execCommand. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

interface Props {
  roomId: string;
  /** Default `/r/` (a room); a team's page is under `/t/`. */
  prefix?: '/r/' | '/t/';
  /** Default "Room link". */
  label?: string;
}

export function ShareLink({ roomId, prefix = '/r/', label = 'Room link' }: Props) {
  const link = `${location.origin}${prefix}${roomId}`;
  const [copied, setCopied] = useState<'idle' | 'ok' | 'failed'>('idle');
  const onCopy = async () => setCopied((await copyText(link)) ? 'ok' : 'failed');
  return (
    <div class="share">
      <label for="share-link">{label}</label>
      <div class="row">
        <input
          id="share-link"
          type="text"
          readOnly
          value={link}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={onCopy}>
          Copy link
        </button>
      </div>
      <span role="status" class="muted">
        {copied === 'ok'
          ? 'Link copied.'
          : copied === 'failed'
            ? 'Copy failed: select the link and copy it.'
            : ''}
      </span>
    </div>
  );
}
