/**
 * The model core: a GPT-2, Llama, GPT-NeoX (Pythia) or GPT-J compatible causal language model on TensorFlow.js, with
 * Hugging Face checkpoints, sequence log-probabilities and batched generation.
 *
 *   createModel(resolveConfig({vocabSize, contextLength, nLayer, nHead, nEmbd, dropout}), {seed})
 *   createModel(resolveConfig({..., layerNormEpsilon, llama: {intermediateSize, nKvHead, ropeTheta, tieWordEmbeddings}}), {seed})
 *                                                 a Llama model (llamaParams.ts, llamaForward.ts); the same API below
 *   createModel(resolveConfig({..., neox: {intermediateSize, rotaryPct, rotaryEmbBase, useParallelResidual}}), {seed})
 *                                                 a GPT-NeoX model (neoxParams.ts, neoxForward.ts)
 *   createModel(resolveConfig({..., gptj: {intermediateSize, rotaryDim}}), {seed})
 *                                                 a GPT-J model (gptjConfig.ts, gptjParams.ts, gptjForward.ts)
 *   loadModel(dir, {trainable}) / saveModel(dir, model, tokenizer.toJSON(), {maxShardBytes})   (sharded past 5 GB, as transformers; both read)
 *   cloneModel(policy, {trainable: false})        a frozen reference model
 *   withScalarHead(model, seed)                   reward / value models (score.weight)
 *   trainableVariables(model), disposeModel(model)
 *
 * Forward passes (call inside tf.tidy or tf.variableGrads; ids are int32):
 *   logits(model, ids (B,T), {training, attentionMask, positionIds, random}) -> (B,T,V)
 *   hidden(...) -> (B,T,C);  scores(...) -> (B,T);  lastTokenScores(model, ids, mask) -> (B,)
 *   tokenLogProbs(model, {ids, attentionMask}) -> (B,T-1)   log p(ids[t+1] | ids[..t])
 *   nextTokenLogProbs(model, hidden (B,T-1,C), ids, T = 1) -> {logits / T (B,T-1,V), logprobs of softmax(logits / T) (B,T-1)}
 *   sequenceLogProbs(model, buildBatch(prompts, responses, pad)) -> {logps (B,), counts (B,)}
 *
 * Sampling (async, no tensors left behind):
 *   generate(model, prompts, {maxNewTokens, temperature, topK, topP, eos, random}) -> number[][]
 *   samplingSupport(logits, {temperature, topK, topP})  the ids a draw can return
 *
 * Completions as scored (eos included when sampled; see completionTokens.ts):
 *   completionTokens(textIds, endedWithEos, eos), textCompletionTokens(tokenizer, text, max), splitEos(tokens, eos)
 *   completionHidden(model, prompts, completions, pad) -> {hidden (N,C), targets, sampleOf}; completionLogits(...) -> (n,V)
 */
export * from './config.ts';
export * from './gpt.ts';
export * from './forward.ts';
export * from './checkpoint.ts';
export { hashWeights, planShards, shardFileName, weightFilesOf } from './weightFiles.ts';
export * from './safetensors.ts';
export * from './logprobs.ts';
export * from './batch.ts';
export * from './sampling.ts';
export * from './generate.ts';
export * from './artifact.ts';
export * from './completionTokens.ts';
export * from './completionHidden.ts';
