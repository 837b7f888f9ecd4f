export * from './ids.ts';
export * from './errors.ts';
export * from './limits.ts';
export * from './messages.ts';
export * from './parse.ts';
export * from './rest.ts';
export * from './sfu.ts';
export * from './relayNotes.ts';
