import type { types } from 'mediasoup';
import type { SfuLog } from './api.ts';

/**
 * A room's dominant speaker: mediasoup's ActiveSpeakerObserver over the room's audio
 * producers. It remembers which producer was last named, so that producer closing can clear it.
 */
export class ActiveSpeaker {
  private dominantId: string | null = null;

  constructor(
    private readonly observer: types.ActiveSpeakerObserver,
    private readonly log: SfuLog,
    private readonly roomId: string,
  ) {}

  /**
   * When the observer names a producer that `peerOf` still knows (undefined: ignore it), it
   * becomes the dominant one and `changed` hears its peer.
   */
  onDominant(
    peerOf: (producerId: string) => string | undefined,
    changed: (peerId: string) => void,
  ) {
    this.observer.on('dominantspeaker', ({ producer }) => {
      const peerId = peerOf(producer.id);
      if (peerId === undefined) return;
      this.dominantId = producer.id;
      changed(peerId);
    });
  }

  /** Adds an audio producer to the observer; a refusal is logged, not thrown. */
  async observe(producer: types.Producer): Promise<void> {
    try {
      await this.observer.addProducer({ producerId: producer.id });
    } catch (error) {
      // Only expected when the producer closed meanwhile, which produce() then reports.
      if (!producer.closed) {
        this.log.warn('active speaker observer refused producer', {
          roomId: this.roomId,
          producerId: producer.id,
          error: String(error),
        });
      }
    }
  }

  /** A producer closed: true when it was the dominant speaker (who is now nobody). */
  closed(producerId: string): boolean {
    if (this.dominantId !== producerId) return false;
    this.dominantId = null;
    return true;
  }

  reset(): void {
    this.dominantId = null;
  }
}
