import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { watchLayerFit } from './layerFit.ts';

/** The part of a mediasoup Consumer watchLayerFit reads, driven by hand. */
class Consumer extends EventEmitter {
  type = 'simulcast';
  paused = false;
  producerPaused = false;
  preferredLayers: { spatialLayer: number } | undefined = { spatialLayer: 2 };
  currentLayers: { spatialLayer: number } | undefined = { spatialLayer: 2 };
  score = { score: 10, producerScore: 10, producerScores: [10, 10, 10] };
  observer = new EventEmitter();
  layers(spatialLayer: number | undefined): void {
    this.currentLayers = spatialLayer === undefined ? undefined : { spatialLayer };
    this.emit('layerschange', this.currentLayers);
  }
}

function watch(c: Consumer): boolean[] {
  const told: boolean[] = [];
  watchLayerFit(c as unknown as types.Consumer, (lowered) => told.push(lowered));
  return told;
}

describe('watchLayerFit', () => {
  it('tells when the SFU sends less than asked while the sender sends it, and when it is back', () => {
    const c = new Consumer();
    const told = watch(c);
    c.layers(0);
    c.layers(1);
    c.layers(2);
    expect(told).toEqual([true, false]);
  });

  it('is not lowered when the sender does not send the asked layer, or nothing is due', () => {
    const c = new Consumer();
    const told = watch(c);
    // The sender dropped its top layer (its own uplink): not the receiver's connection.
    c.score = { ...c.score, producerScores: [10, 10, 0] };
    c.emit('score', c.score);
    c.layers(1);
    expect(told).toEqual([]);
    // The top layer arrives again, and the SFU still sends the middle one: lowered.
    c.emit('score', { ...c.score, producerScores: [10, 10, 9] });
    expect(told).toEqual([true]);
    // The tile went off screen: the consumer is paused, nothing is due to it.
    c.paused = true;
    c.observer.emit('pause');
    expect(told).toEqual([true, false]);
  });

  it('leaves a consumer without simulcast alone', () => {
    const c = new Consumer();
    c.type = 'simple';
    const told = watch(c);
    c.layers(0);
    expect(told).toEqual([]);
    expect(c.listenerCount('layerschange')).toBe(0);
  });
});
