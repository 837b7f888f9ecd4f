// Real Redis, PostgreSQL and HAProxy on loopback ports, for the cluster tests and
// `npm run cluster` (issue 13). Each is a child process killed on stop() and on exit.
export * from './redis.ts';
export * from './postgres.ts';
export * from './haproxy.ts';
export * from './cluster.ts';
export { onParentExit } from './process.ts';
export { freePort, httpGet } from './net.ts';
