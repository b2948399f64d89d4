/**
 * The learning rate at a step: linear warm-up from 0 over `warmup_steps` (the DPO paper
 * warms up over 150 steps), then constant, linear or cosine decay to `min_lr_ratio * lr`
 * at `totalSteps`.
 */
export type DecayName = 'constant' | 'linear' | 'cosine';

export interface ScheduleSettings {
  lr: number;
  warmup_steps: number;
  decay: DecayName;
  min_lr_ratio: number;
}

const decays: Record<DecayName, (progress: number) => number> = {
  constant: () => 1,
  linear: (p) => 1 - p,
  cosine: (p) => 0.5 * (1 + Math.cos(Math.PI * p)),
};

/** `step` counts from 0 (the first update uses step 0). */
export function learningRate(settings: ScheduleSettings, step: number, totalSteps: number): number {
  const { lr, warmup_steps, decay, min_lr_ratio } = settings;
  if (step < warmup_steps) return (lr * (step + 1)) / (warmup_steps + 1);
  const span = Math.max(1, totalSteps - warmup_steps);
  const progress = Math.min(1, (step - warmup_steps) / span);
  return lr * (min_lr_ratio + (1 - min_lr_ratio) * decays[decay](progress));
}
