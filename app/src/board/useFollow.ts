import { useEffect, useState } from 'preact/hooks';
import type { WhiteboardProps } from './api.ts';
import { FIRST_PAGE } from './BoardDoc.ts';

export interface Follow {
  /** The page shown. */
  pageId: string;
  /** The user's own page change: stops following the presenter unless it is their page. */
  goTo(pageId: string): void;
  /** Someone else presents and we browsed away from their page. */
  away: boolean;
  /** "Back to presenter". */
  resume(): void;
}

type FollowProps = Pick<WhiteboardProps, 'presenter' | 'selfId' | 'onPresent'>;

/**
 * "Follow the presenter" (issue 17): while someone else presents, show their page and each
 * page they turn to, until the user turns a page themselves. A presenting moderator's own
 * page changes are what everyone follows, so they go to `onPresent`.
 */
export function useFollow(props: FollowProps, show: (pageId: string) => void): Follow {
  const [pageId, setPageId] = useState(FIRST_PAGE);
  const [following, setFollowing] = useState(true);
  const { presenter, selfId } = props;
  const mine = presenter !== null && presenter.peerId === selfId;
  const target = presenter && !mine && following ? presenter.pageId : null;
  useEffect(() => {
    if (target) setPageId(target);
  }, [target]);
  useEffect(() => show(pageId), [pageId, show]);
  // A new presentation (or none) starts us following again.
  useEffect(() => setFollowing(true), [presenter?.peerId]);
  return {
    pageId,
    goTo(id) {
      setPageId(id);
      if (presenter && !mine) setFollowing(id === presenter.pageId);
      if (mine && id !== presenter.pageId) props.onPresent(id);
    },
    away: presenter !== null && !mine && !following && pageId !== presenter.pageId,
    resume: () => setFollowing(true),
  };
}
