// include/linux/kref.h: a refcount_t with a release function run when it drops to zero.

import type { Cpu, Ptr } from '../cpu.ts';
import { refcount_dec_and_test, refcount_inc, refcount_inc_not_zero, refcount_read, refcount_set } from '../primitives.ts';

export function kref_init(cpu: Cpu, kref: Ptr): void {
  refcount_set(cpu, kref, 1);
}

export function kref_read(cpu: Cpu, kref: Ptr): number {
  return refcount_read(cpu, kref);
}

export function kref_get(cpu: Cpu, kref: Ptr): void {
  refcount_inc(cpu, kref);
}

export function kref_get_unless_zero(cpu: Cpu, kref: Ptr): boolean {
  return refcount_inc_not_zero(cpu, kref);
}

/** Returns true when this put released the object. */
export function kref_put(cpu: Cpu, kref: Ptr, release: (cpu: Cpu, kref: Ptr) => void): boolean {
  if (refcount_dec_and_test(cpu, kref)) {
    release(cpu, kref);
    return true;
  }
  return false;
}
