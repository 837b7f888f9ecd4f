/**
 * How much of our camera one link carries, applied with `RTCRtpSender.setParameters` (no
 * renegotiation, nothing for the other side to do):
 * - `full`: as captured (simulcast: every layer);
 * - `reduced`: half the size, at most 500 kbit/s (simulcast: all but the top layer);
 * - `low`: a quarter of the size, at most 150 kbit/s (simulcast: the lowest layer only);
 * - `off`: no video at all; the audio goes on.
 */
export type SendPlan = 'full' | 'reduced' | 'low' | 'off';

/** A single-encoding sender's caps per plan (mesh links send one encoding). */
const SINGLE: Record<'reduced' | 'low', { scaleResolutionDownBy: number; maxBitrate: number }> = {
  reduced: { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  low: { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
};

/**
 * The encodings a sender gets for `plan`, from the ones it has. Simulcast layers (lowest
 * first, as the SFU producer's) keep their own sizes and rates and are switched on or off;
 * a single encoding is scaled and capped.
 */
export function encodingsFor(
  plan: SendPlan,
  current: readonly RTCRtpEncodingParameters[],
): RTCRtpEncodingParameters[] {
  if (current.length > 1) {
    const top = current.length - 1;
    return current.map((e, i) => ({
      ...e,
      active: plan === 'full' || (plan === 'reduced' && i < top) || (plan === 'low' && i === 0),
    }));
  }
  return current.map((e) => {
    if (plan === 'off') return { ...e, active: false };
    const rest = { ...e };
    delete rest.maxBitrate;
    delete rest.scaleResolutionDownBy;
    if (plan === 'full') return { ...rest, active: true, scaleResolutionDownBy: 1 };
    return { ...rest, active: true, ...SINGLE[plan] };
  });
}

/** The part of RTCRtpSender used here. */
export interface PlannableSender {
  getParameters(): RTCRtpSendParameters;
  setParameters(params: RTCRtpSendParameters): Promise<void>;
}

/** Applies `plan` to a video sender (nothing to do before it has encodings). */
export async function applySendPlan(sender: PlannableSender, plan: SendPlan): Promise<void> {
  const params = sender.getParameters();
  if (params.encodings.length === 0) return;
  params.encodings = encodingsFor(plan, params.encodings);
  await sender.setParameters(params);
}
