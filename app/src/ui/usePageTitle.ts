import { useEffect } from 'preact/hooks';

/**
 * The tab's title while the component is mounted (issue 19: a title per page, so a person
 * with several tabs, or a screen reader, knows which is the call); the previous one comes
 * back when it unmounts.
 */
export function usePageTitle(title: string): void {
  useEffect(() => {
    const before = document.title;
    return () => {
      document.title = before;
    };
  }, []);
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** "1 person", "3 people". */
export function people(count: number): string {
  return `${count} ${count === 1 ? 'person' : 'people'}`;
}
