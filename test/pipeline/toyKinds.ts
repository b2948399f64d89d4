/**
 * Small stage kinds for the pipeline tests, registered around the tests that use them.
 * They never ship in src/: their `run` is never called here.
 */
import { stageKinds } from '../../src/stages/index.ts';
import type { StageKind } from '../../src/core/stageContract.ts';

const notRun = async () => {
  throw new Error('toy kinds only exercise validation and planning');
};

export const toySource: StageKind = {
  kind: 'toy_source',
  schema: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    required: ['rows'],
    properties: {
      rows: { type: 'integer', minimum: 1, description: 'How many rows to make.' },
      format: { enum: ['text', 'jsonl'], default: 'text', description: 'The output format.' },
      shuffle: { type: 'boolean', default: true, description: 'Whether to shuffle the rows.' },
    },
  },
  references: [],
  produces: ['dataset'],
  run: notRun,
};

export const toyModel: StageKind = {
  kind: 'toy_model',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['data', 'beta'],
    properties: {
      policy: { type: 'string', description: 'The model to start from.' },
      data: { type: 'string', description: 'The dataset stage to train on.' },
      beta: { type: 'number', exclusiveMinimum: 0, description: 'The temperature.' },
      loss: { enum: ['sigmoid', 'ipo', 'hinge'], default: 'sigmoid', description: 'The loss variant.' },
      train: {
        type: 'object',
        additionalProperties: false,
        default: {},
        description: 'Training settings.',
        properties: {
          epochs: { type: 'integer', minimum: 1, default: 1, description: 'Passes over the data.' },
          lr: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'The learning rate.' },
        },
      },
    },
  },
  references: [
    { path: 'policy', accepts: ['model'] },
    { path: 'data', accepts: ['dataset'] },
  ],
  produces: ['model'],
  run: notRun,
};

export const toyEval: StageKind = {
  kind: 'toy_eval',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['policies'],
    properties: {
      policies: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'The models to evaluate.' },
    },
  },
  references: [{ path: 'policies', accepts: ['model'] }],
  produces: ['evaluation'],
  run: notRun,
};

/** Registers the toy kinds for the enclosing `describe` and removes them after. */
export function withToyKinds(): void {
  const kinds = [toySource, toyModel, toyEval];
  before(() => {
    for (const kind of kinds) stageKinds[kind.kind] = kind;
  });
  after(() => {
    for (const kind of kinds) delete stageKinds[kind.kind];
  });
}
