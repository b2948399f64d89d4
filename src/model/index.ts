/**
 * The model core: a GPT-2 compatible causal language model on TensorFlow.js, with
 * Hugging Face checkpoints, sequence log-probabilities and batched generation.
 */
export * from './config.ts';
export * from './gpt.ts';
export * from './forward.ts';
export * from './checkpoint.ts';
export * from './safetensors.ts';
export * from './logprobs.ts';
export * from './batch.ts';
export * from './sampling.ts';
export * from './generate.ts';
export * from './artifact.ts';
