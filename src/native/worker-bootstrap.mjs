// Entry of every native worker thread: registers tsx (workers do not inherit the main thread's
// module hooks), so kernel code and the lab's TypeScript load as written, then starts the job loop.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
