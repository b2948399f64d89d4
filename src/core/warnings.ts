/**
 * Warnings from code that has no log of its own (a file reader, a judge): something was
 * wrong but the work went on. They go to the sink the executor sets while a stage runs
 * (`[id] warning: ...` in the run's output), else to stderr.
 */
type Sink = (message: string) => void;

const stderrSink: Sink = (message) => void process.stderr.write(`warning: ${message}\n`);
let sink: Sink = stderrSink;

export function warn(message: string): void {
  sink(message);
}

/** Sends warnings to `next` until the returned function is called. */
export function redirectWarnings(next: Sink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}
