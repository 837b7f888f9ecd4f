import { useRef, useState } from 'preact/hooks';
import { background } from '../util/background.ts';
import type { WhiteboardProps } from './api.ts';
import type { BoardController } from './BoardController.ts';
import { uploadDeck } from './slides.ts';

interface HostToolsProps {
  ctrl: BoardController;
  props: WhiteboardProps;
  /** The page shown. */
  pageId: string;
  /** Go to this page (the first page of an uploaded deck). */
  onGo(pageId: string): void;
  onNotice(text: string): void;
}

/** Moderators: upload slides, present, clear the page. */
export function HostTools({ ctrl, props, pageId, onGo, onNotice }: HostToolsProps) {
  const presenting = props.selfId !== null && props.presenter?.peerId === props.selfId;
  return (
    <div class="board-group" role="group" aria-label="Host">
      <SlidesButton ctrl={ctrl} props={props} onGo={onGo} onNotice={onNotice} />
      <button type="button" onClick={() => props.onPresent(presenting ? null : pageId)}>
        {presenting ? 'Stop presenting' : 'Present'}
      </button>
      <button type="button" onClick={() => ctrl.board.clearPage(pageId)}>
        Clear page
      </button>
    </div>
  );
}

/** Upload a PDF; each of its pages becomes a board page to annotate. */
function SlidesButton({ ctrl, props, onGo, onNotice }: Omit<HostToolsProps, 'pageId'>) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const upload = async (file: File) => {
    setBusy(true);
    try {
      const deckId = await uploadDeck(props, file);
      const count = await ctrl.slides.pageCount(deckId);
      const slides = Array.from({ length: count }, (_, i) => ({ deckId, page: i + 1 }));
      const [first] = ctrl.board.addPages(slides);
      if (first) onGo(first);
    } catch (err) {
      onNotice(err instanceof Error ? err.message : 'The slides could not be added');
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept="application/pdf"
        hidden
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file) background(upload(file), 'slides upload');
        }}
      />
      <button
        type="button"
        disabled={busy || !props.canDraw}
        onClick={() => input.current?.click()}
      >
        {busy ? 'Uploading slides…' : 'Upload slides (PDF)'}
      </button>
    </>
  );
}
