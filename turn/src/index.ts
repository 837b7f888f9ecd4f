export * from './credentials.ts';
export * from './iceServers.ts';
export * from './coturn.ts';
