/**
 * The backends a pipeline or `--backend` may ask for, apart from the module that loads
 * them (./index.ts imports TensorFlow.js; validating a pipeline needs only these names).
 */
import { UserError } from '../core/errors.ts';

export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'native-cpu', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKENDS)[number];

/** `name` as a BackendRequest; a UserError naming the choices when it is none. */
export function backendRequest(name: string): BackendRequest {
  if (!(BACKENDS as readonly string[]).includes(name)) throw new UserError(`unknown backend "${name}"`, `choose one of: ${BACKENDS.join(', ')}`);
  return name as BackendRequest;
}
