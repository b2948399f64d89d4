/**
 * The training loop every training stage runs (sft, dpo, unlikelihood, preferred_ft,
 * reward_model, classifier, ppo). The stage resumes or starts (resume.ts) and hands over
 * a Trainee (trainee.ts); the loop reads top to bottom:
 *
 *   evaluate the starting model (sft), then per step from the resumed one:
 *     step       the stage's batch, and per optimizer update:
 *                  lr             warm-up and decay over the updates (schedule.ts)
 *                  loss, grads    the stage's loss, its gradients (summed over its micro-batches:
 *                                 gradient accumulation, microBatches.ts)
 *                  clip           by global norm
 *                  non-finite     a NaN or infinite loss or norm stops the stage (nonFinite.ts)
 *                  optimizer step
 *     eval, log  every eval_every steps (and the last) a held-out evaluation; a metrics row
 *                every log_every steps and at each evaluation
 *     checkpoint every checkpoint_every steps and the last
 *     tick       progress, and a chance for an interruption to stop the stage
 *   stop when the steps are done.
 */
import type { StageContext } from '../core/stageContract.ts';
import type { Checkpoint } from './checkpoints.ts';
import { saveCheckpoint } from './checkpoints.ts';
import { NonFiniteError } from './nonFinite.ts';
import { isEvery, lrAt } from './settings.ts';
import type { Trainee, Update } from './trainee.ts';
import { optimizerUpdate } from './update.ts';

export async function trainLoop(ctx: StageContext<unknown>, trainee: Trainee): Promise<void> {
  const { train, total, updatesPerStep } = trainee;
  const stepColumn = trainee.columns[0];
  const metrics = ctx.metrics(trainee.columns);
  let step = trainee.startStep;
  let lastCheckpoint: Checkpoint | undefined = trainee.resumedFrom;
  try {
    // Evaluate the starting model.
    if (step === 0 && trainee.evaluateAtStart && trainee.evaluate) {
      metrics.log({ [stepColumn]: 0, ...trainee.row(0), ...evalColumns(await trainee.evaluate(0)) });
    }

    ctx.progress.start(total, ctx.id);
    while (step < total) {
      // Step: the stage's batch, and each of its updates.
      let updates = 0;
      const update: Update = async (lossOf) => {
        updates += 1;
        // Learning rate, counted in updates.
        const lr = lrAt(train, step * updatesPerStep + updates - 1, total * updatesPerStep);
        // Loss and gradients, clip, optimizer step (none when not finite).
        const result = await optimizerUpdate(trainee.trained, trainee.optimizer, lossOf, { lr, maxGradNorm: train.max_grad_norm });
        // Non-finite: stop, keeping the last checkpoint.
        if (!result.stepped) {
          const which = updatesPerStep > 1 ? `${updates} of ${updatesPerStep}` : '';
          throw new NonFiniteError(ctx.id, step + 1, result.loss, result.gradNorm, lastCheckpoint, which);
        }
        return result;
      };
      const shown = await trainee.step(step, update);
      step += 1;

      // Evaluate and log.
      const evaluation = trainee.evaluate && isEvery(train.eval_every, step, total) ? await trainee.evaluate(step) : undefined;
      if (evaluation || isEvery(train.log_every, step, total)) {
        metrics.log({ [stepColumn]: step, ...trainee.row(step), ...evalColumns(evaluation) });
      }
      ctx.progress.update(step, shown);

      // Checkpoint: what lies beside it first, so that a complete checkpoint has it.
      if (isEvery(train.checkpoint_every, step, total)) {
        await trainee.saveBeside?.(step);
        lastCheckpoint = await saveCheckpoint(ctx.outDir, {
          model: trainee.model,
          optimizer: trainee.optimizer,
          tokenizerJson: trainee.tokenizer.toJSON(),
          state: { step, optimizerStep: 0, ...trainee.checkpointState(step) }, // saveCheckpoint records the optimizer's own step
        });
      }

      // Tick: an interruption stops the stage here.
      await ctx.tick();
    }
  } finally {
    // Stop.
    ctx.progress.stop();
    await metrics.close();
  }
}

/** An evaluation's values as the row's eval/<name> columns. */
function evalColumns(evaluation: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(evaluation ?? {}).map(([name, value]) => [`eval/${name}`, value]));
}
