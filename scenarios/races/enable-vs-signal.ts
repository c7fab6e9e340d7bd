// R1 (kernel-notes section 5): enable_signaling against a concurrent signal, the ENABLE /
// SIGNALED handshake of the dma-fence.h comment ("after dma_fence_signal was called, any
// enable_signaling call will have either been completed, or never called at all"). Seed 004
// (Christian König) moves the call out of the fence lock: "the enabling_signaling call can
// still race with signaling a fence ... drivers can still grab the fence [lock] themselves".
//
// This driver arms its interrupt without locking: it takes a reference the interrupt handler
// drops. When enable_signaling runs after the fence signaled, nobody drops it: a leak.
//
//   CPU0 (add_callback, design e)            CPU1 (hardirq)
//   test_and_set_bit(ENABLE); SIGNALED? no
//   enable_signaling: hw seqno not passed
//                                            hw_seqno = 1; dma_fence_signal(f)
//                                            put armed reference: none yet
//     dma_fence_get(f); armed = f            <- never dropped: kmemleak
import { scenario } from '../../src/scenario.ts';
import { consumer_race_setup, consumer_thread, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'enable-vs-signal',
  title: 'enable_signaling racing a signal, with a driver that arms without re-checking',
  source: 'dma-fence.h ENABLE/SIGNALED comment; seed 004 (Christian König, rework enable_signaling); kernel-notes R1',
  group: 'races',
  setup: (cpu, fences) => consumer_race_setup(cpu, fences, { name: 'radeon', enableSignaling: 'arm' }),
  threads: [
    consumer_thread(0),
    {
      name: 'irq',
      cpu: 1,
      context: 'hardirq',
      run(cpu, fences, { drv }) {
        gpu_irq_complete(cpu, fences, drv, 1);
      },
    },
  ],
  expect: {
    'current-shared-lock': 'pass',
    'inline-lock': 'pass',
    'inline-lock-ops-check': 'pass',
    'locked-reads': 'pass',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'pass',
    'unlocked-enable-signaling': 'violation',
  },
});
