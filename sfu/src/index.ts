export { configureWorkerBinary } from './workerBinary.ts';
