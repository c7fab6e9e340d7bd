// include/linux/list.h over the word heap. A list_head is two words, next then prev; list
// manipulation is plain stores, safe only under the lock that protects the list.

import type { Cpu, Ptr } from '../cpu.ts';
import { load, store, READ_ONCE, WRITE_ONCE } from '../primitives.ts';
import { list_head } from '../dma-fence.ts';

const NEXT = list_head.next;
const PREV = list_head.prev;

export function INIT_LIST_HEAD(cpu: Cpu, list: Ptr): void {
  WRITE_ONCE(cpu, list + NEXT, list);
  WRITE_ONCE(cpu, list + PREV, list);
}

function __list_add(cpu: Cpu, entry: Ptr, prev: Ptr, next: Ptr): void {
  store(cpu, next + PREV, entry);
  store(cpu, entry + NEXT, next);
  store(cpu, entry + PREV, prev);
  WRITE_ONCE(cpu, prev + NEXT, entry);
}

/** Adds after head (stack order). */
export function list_add(cpu: Cpu, entry: Ptr, head: Ptr): void {
  __list_add(cpu, entry, head, load(cpu, head + NEXT));
}

/** Adds before head (queue order). */
export function list_add_tail(cpu: Cpu, entry: Ptr, head: Ptr): void {
  __list_add(cpu, entry, load(cpu, head + PREV), head);
}

function __list_del(cpu: Cpu, prev: Ptr, next: Ptr): void {
  store(cpu, next + PREV, prev);
  WRITE_ONCE(cpu, prev + NEXT, next);
}

export function list_del(cpu: Cpu, entry: Ptr): void {
  __list_del(cpu, load(cpu, entry + PREV), load(cpu, entry + NEXT));
}

export function list_del_init(cpu: Cpu, entry: Ptr): void {
  list_del(cpu, entry);
  INIT_LIST_HEAD(cpu, entry);
}

export function list_empty(cpu: Cpu, head: Ptr): boolean {
  return READ_ONCE(cpu, head + NEXT) === head;
}

/**
 * Moves the entries of `old` onto `fresh`, leaving `old` dangling (list_replace). The order of
 * the four stores is the kernel's: on an empty `old` it is what leaves `fresh` empty.
 */
export function list_replace(cpu: Cpu, old: Ptr, fresh: Ptr): void {
  store(cpu, fresh + NEXT, load(cpu, old + NEXT));
  store(cpu, load(cpu, fresh + NEXT) + PREV, fresh);
  store(cpu, fresh + PREV, load(cpu, old + PREV));
  store(cpu, load(cpu, fresh + PREV) + NEXT, fresh);
}

/** The entries of a list in order, read once up front (list_for_each_entry_safe). */
export function list_entries(cpu: Cpu, head: Ptr): Ptr[] {
  const entries: Ptr[] = [];
  for (let pos = load(cpu, head + NEXT); pos !== head; pos = load(cpu, pos + NEXT)) entries.push(pos);
  return entries;
}
