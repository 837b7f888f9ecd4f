import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

interface Texts {
  /** Shown while the chunk loads. */
  loading: string;
  /** Shown when it cannot be fetched (offline before it was ever cached). */
  failed: string;
}

/**
 * A page that is a chunk of its own (`import()`), so the home page never downloads it: renders
 * `loading` until the module arrives, then the page with the same props.
 */
export function lazyPage<P extends object>(
  load: () => Promise<ComponentType<P>>,
  texts: Texts,
): ComponentType<P> {
  return function LazyPage(props: P) {
    const [Page, setPage] = useState<ComponentType<P> | null>(null);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      load().then(
        (page) => setPage(() => page),
        () => setFailed(true),
      );
    }, []);
    if (failed) return <p role="alert">{texts.failed}</p>;
    if (!Page) return <p class="muted">{texts.loading}</p>;
    return <Page {...props} />;
  };
}
