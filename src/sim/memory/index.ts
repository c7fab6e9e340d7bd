// The memory models by name (`--model`).

import type { ModelName } from '../../results/types.ts';
import type { MemoryModel } from './model.ts';
import { ScMemory } from './sc.ts';

const FACTORIES: Partial<Record<ModelName, () => MemoryModel>> = {
  sc: () => new ScMemory(),
};

export const MODEL_NAMES: readonly ModelName[] = ['sc', 'tso', 'weak'];

export function availableModels(): ModelName[] {
  return MODEL_NAMES.filter((m) => FACTORIES[m]);
}

export function createMemoryModel(name: ModelName): MemoryModel {
  const make = FACTORIES[name];
  if (!make) throw new Error(`memory model '${name}' is not available; available: ${availableModels().join(', ')}`);
  return make();
}
