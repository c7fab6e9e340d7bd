// Entry of a worker thread of the pool (src/sim/pool.ts). Plain JavaScript so the worker can
// start before TypeScript loads: it registers tsx, then runs each task it is given by importing
// the task's module (once per worker) and calling the named export.
import { register } from 'tsx/esm/api';

register();
const { callTask } = await import('./pool.ts');

export default function runTask(task) {
  return callTask(task);
}
