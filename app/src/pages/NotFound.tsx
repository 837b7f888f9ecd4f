import { useEffect, useRef } from 'preact/hooks';
import { navigate } from '../router.ts';
import { usePageTitle } from '../ui/usePageTitle.ts';
import './notFound.css';

interface Props {
  /** `meeting`: a room link that leads nowhere; `page`: any other path the app does not serve. */
  what: 'meeting' | 'page';
  /**
   * Offered when the server was asked: it says the same about a room with a password, so the
   * person who has one can still go on to the pre-join and type it. Default: not offered.
   */
  onPassword?: () => void;
}

const TEXTS = {
  meeting: {
    title: 'Meeting not found - Parley',
    heading: 'This meeting does not exist',
    why: 'Check the link: it may be mistyped, or the meeting may have ended.',
  },
  page: {
    title: 'Page not found - Parley',
    heading: 'Page not found',
    why: 'There is nothing at this address. Check the link, or start from the home page.',
  },
} as const;

/** Shown instead of the pre-join (no camera, no socket) or the home page (issue 19). */
export function NotFound({ what, onPassword }: Props) {
  const { title, heading, why } = TEXTS[what];
  usePageTitle(title);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // The screen replaced what was there without a page load: a screen reader starts here.
  useEffect(() => headingRef.current?.focus(), []);
  return (
    <main class="page not-found">
      <a href="/" class="brand" onClick={home}>
        Parley
      </a>
      <h1 ref={headingRef} tabIndex={-1}>
        {heading}
      </h1>
      <p>{why}</p>
      <a href="/" class="button-link primary" onClick={home}>
        Back to home
      </a>
      {onPassword && (
        <p class="muted">
          Were you given a password for it?{' '}
          <button type="button" class="link" onClick={onPassword}>
            Enter the password
          </button>
        </p>
      )}
    </main>
  );
}

function home(e: MouseEvent): void {
  e.preventDefault();
  navigate('/');
}
