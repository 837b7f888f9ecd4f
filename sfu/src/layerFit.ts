import type { types } from 'mediasoup';

/**
 * Watches whether the SFU sends a simulcast video consumer a lower spatial layer than its
 * peer asked for while the sender does send the asked one (issue 20). mediasoup chooses each
 * consumer's layer within its estimate of that peer's downlink, so this is the peer's own
 * connection falling short: the peer is told, to say why the picture got softer. A paused
 * consumer (an off-screen tile, audio only) is never "lowered": nothing is due to it.
 */
export function watchLayerFit(consumer: types.Consumer, changed: (lowered: boolean) => void): void {
  if (consumer.type !== 'simulcast') return;
  /** The sender's layers by encoding index (low to high): 0 while one does not arrive. */
  let producerScores: number[] = consumer.score.producerScores;
  let lowered = false;
  const check = (): void => {
    const wanted = consumer.preferredLayers?.spatialLayer;
    const got = consumer.currentLayers?.spatialLayer;
    const now =
      !consumer.paused &&
      !consumer.producerPaused &&
      wanted !== undefined &&
      got !== undefined &&
      got < wanted &&
      (producerScores[wanted] ?? 0) > 0;
    if (now === lowered) return;
    lowered = now;
    changed(now);
  };
  consumer.on('layerschange', check);
  consumer.on('score', (score) => {
    producerScores = score.producerScores;
    check();
  });
  consumer.observer.on('pause', check);
  consumer.observer.on('resume', check);
}
