// The SFU package. Nothing here loads mediasoup's runtime: `Sfu.start` points mediasoup at
// its worker binary first and only then imports it (see workerBinary.ts).
export type * from './api.ts';
export { configureWorkerBinary } from './workerBinary.ts';
export { SfuError } from './errors.ts';
export { Sfu } from './sfu.ts';
export { SfuRoom } from './sfuRoom.ts';
export { ChannelBus, DEFAULT_MAX_CHANNELS } from './channelBus.ts';
export { MAX_WARM_TRANSPORTS } from './warm.ts';
export { TypedEmitter, type EventMap } from './typedEmitter.ts';
