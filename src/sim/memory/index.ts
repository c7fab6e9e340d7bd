// The memory models by name (`--model`).

import type { ModelName } from '../../results/types.ts';
import type { MemoryModel } from './model.ts';
import { ScMemory } from './sc.ts';
import { TsoMemory } from './tso.ts';
import { WeakMemory } from './weak.ts';

const FACTORIES: Partial<Record<ModelName, () => MemoryModel>> = {
  sc: () => new ScMemory(),
  tso: () => new TsoMemory(),
  weak: () => new WeakMemory(),
};

export const MODEL_NAMES: readonly ModelName[] = ['sc', 'tso', 'weak'];

export function availableModels(): ModelName[] {
  return MODEL_NAMES.filter((m) => FACTORIES[m]);
}

/**
 * A fresh model. It makes its choices (which write a load reads, where a store lands) through
 * the Chooser the execution hands it at every reset, so they land on the replayable path.
 */
export function createMemoryModel(name: ModelName): MemoryModel {
  const make = FACTORIES[name];
  if (!make) throw new Error(`memory model '${name}' is not available; available: ${availableModels().join(', ')}`);
  return make();
}
