/**
 * The backends a pipeline or `--backend` may ask for, apart from the module that loads
 * them (./index.ts imports TensorFlow.js; validating a pipeline needs only these names).
 */
export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'native-cpu', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKENDS)[number];
