/** Shown whenever the network is gone; the shell itself still works from the service worker. */
export function OfflineBanner({ reason }: { reason?: string }) {
  return (
    <div class="banner banner-warn" role="status">
      You are offline: the network is unavailable. {reason ?? 'Calls need a connection.'}
    </div>
  );
}
