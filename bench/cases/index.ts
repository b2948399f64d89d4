/**
 * The benchmark cases `npm run bench` runs, in order. Add a case: write bench/cases/<name>.ts
 * exporting a BenchCase and list it here.
 */
import { generation } from './generation.ts';
import { sftStep } from './sftStep.ts';
import { ppoIteration } from './ppoIteration.ts';
import { dpoStep } from './dpoStep.ts';
import { startup } from './startup.ts';
import { cacheChecks } from './cacheChecks.ts';
import type { BenchCase } from './types.ts';

export const benchCases: BenchCase[] = [startup, cacheChecks, sftStep, generation, dpoStep, ppoIteration];
