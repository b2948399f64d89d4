/**
 * The signal that aborts when the user interrupts the run (Ctrl-C), for code that waits on
 * the outside world (an HTTP request to a judge) and holds no StageContext: the executor
 * sets it while a stage runs. Outside a run it is a signal that never aborts.
 */
const never = new AbortController().signal;
let current: AbortSignal = never;

export function runSignal(): AbortSignal {
  return current;
}

/** Makes `signal` the run's signal until the returned function is called. */
export function setRunSignal(signal: AbortSignal): () => void {
  const previous = current;
  current = signal;
  return () => {
    current = previous;
  };
}
