// Worker thread of the detection benchmark: runs its slice of jobs and posts the results back.
import { parentPort, workerData } from 'node:worker_threads';
import { loadEnvironment, runOne } from './harness.js';

const env = await loadEnvironment(workerData.tuning);
const results = [];
let pending = 0;
for (const job of workerData.jobs) {
  const result = await runOne(env, { ...job, seed: workerData.seed, only: workerData.only });
  results.push({ ...job, result });
  if (++pending === 20) {
    parentPort.postMessage({ progress: pending });
    pending = 0;
  }
}
if (pending > 0) parentPort.postMessage({ progress: pending });
parentPort.postMessage({ results });
