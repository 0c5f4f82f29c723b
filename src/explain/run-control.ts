/**
 * What a computation of many model runs owes its job: to stop soon after the
 * job is cancelled, and to say how far it has come. The runners call it
 * around every onnxruntime run.
 */
export interface RunControl {
  /** Before a model run: throws the job's cancellation (the signal's reason) once it came. */
  beforeRun(): void;
  /** After a model run that did `runs` of the runs counted for progress (a part of one for a smaller batch). */
  afterRun(runs?: number): void;
}

/** One model run under a control, when there is one; `runs`: how much of the counted work it was. */
export async function controlledRun<T>(
  control: RunControl | undefined,
  run: () => Promise<T>,
  runs = 1,
): Promise<T> {
  control?.beforeRun();
  const result = await run();
  control?.afterRun(runs);
  return result;
}
