// Function handles and strings of the native heap. A function pointer in shared memory is the
// address of a module text word; that word holds a small function id, and each thread keeps its
// own table from ids to its own JavaScript functions (a closure cannot cross threads). Ids are
// handed out in load order, so every thread that replays the same module loads (replay.ts)
// gets the same ids; a replay checks that the id it computes is the one in memory.
// Strings work the same way: a rodata word holds a string id.

import type { KernelFn } from '../kernel/cpu.ts';

export class NativeRegistry {
  /** id -> function; id 0 is no function */
  readonly fns: KernelFn[] = [unregistered];
  readonly fnNames: string[] = [''];
  readonly strings: string[] = [''];

  addFunction(name: string, fn: KernelFn): number {
    this.fns.push(fn);
    this.fnNames.push(name);
    return this.fns.length - 1;
  }

  addString(s: string): number {
    this.strings.push(s);
    return this.strings.length - 1;
  }
}

function unregistered(): never {
  throw new Error('[lab internal bug] native call through a function id this thread never registered (a module loaded after the threads attached?)');
}
