import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { PINNED_WASM_VERSION } from '../../src/backend/native/wasmHeap.ts';

describe('the wasm backend the native kernels are written for', () => {
  it('is the installed @tensorflow/tfjs-backend-wasm, exactly', () => {
    const installed = createRequire(import.meta.url)('@tensorflow/tfjs-backend-wasm/package.json').version;
    const message = `@tensorflow/tfjs-backend-wasm ${installed} is installed, but src/backend/native reads the internals of ${PINNED_WASM_VERSION}: ` +
      'pin the package back, or check the heap layout and kernels against the new version and update PINNED_WASM_VERSION';
    assert.equal(installed, PINNED_WASM_VERSION, message);
    assert.equal(version_wasm, PINNED_WASM_VERSION, message);
  });
});
