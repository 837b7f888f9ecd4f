export { Cluster, ClusterUnavailable } from './cluster.ts';
export type { ClusterOptions, Route } from './cluster.ts';
export type { NodeLoad, NodeRecord, NodeState } from './nodeRegistry.ts';
