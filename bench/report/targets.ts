import type { ComputeResult } from '../compute/compute.section';
import { RESNET50_MODEL } from '../models/bench-model-repository';
import type { ScalingResult, ServiceResult } from '../service/service.section';

export interface TargetCheck {
  readonly issue: number;
  readonly what: string;
  readonly value: number | undefined;
  readonly unit: 'x' | 'ms' | 'count';
  readonly limit: string;
  /** undefined: not measured in this run (the reason is in `note`). */
  readonly pass: boolean | undefined;
  readonly note: string;
}

const check = (value: number | undefined, limit: number, atMost: boolean): boolean | undefined =>
  value === undefined || Number.isNaN(value) ? undefined : atMost ? value <= limit : value >= limit;

/** The speed targets of issues 3, 4 and 5, and issue 8's error-free loads, from this run's measurements. */
export function checkTargets(
  compute: readonly ComputeResult[] | undefined,
  service: ServiceResult | undefined,
): TargetCheck[] {
  const resnet = compute?.find((c) => c.model === RESNET50_MODEL);
  const engine = resnet !== undefined && 'layer' in resnet.engine ? resnet.engine : undefined;
  const engineNote =
    resnet === undefined
      ? 'compute section not run'
      : engine === undefined
        ? `engine failed: ${(resnet.engine as { error: string }).error}`
        : 'medians measured in turns, same session options';

  const lastLayer =
    engine === undefined ? undefined : engine.lastLayer.medianMs / engine.plain.medianMs;
  const inputGradient =
    engine === undefined ? undefined : engine.inputGradient.medianMs / engine.plain.medianMs;

  const job = resnet?.jobs['explain:gradcam'];
  const wholeJob =
    job?.status === 'ok' && job.baseline !== undefined
      ? job.medianMs / job.baseline.medianMs
      : undefined;
  const jobNote =
    resnet === undefined
      ? 'compute section not run'
      : job === undefined
        ? 'no explain job'
        : job.status === 'ok'
          ? 'decode, preprocess, run, map, PNG overlay; plain run measured in turns'
          : job.reason;

  const overhead = queueOverhead(service);
  const scaling =
    service?.scaling !== undefined && 'ratio' in service.scaling ? service.scaling : undefined;
  const scalingNote =
    scaling !== undefined
      ? `${scaling.request}, ${scaling.connections} connections; bounds in the scaling table`
      : service?.scaling !== undefined && 'skipped' in service.scaling
        ? service.scaling.skipped
        : 'scaling section not run';

  return [
    {
      issue: 3,
      what: 'augmented run / plain, last conv layer (ResNet-50, 224x224)',
      value: lastLayer,
      unit: 'x',
      limit: '<= 1.25',
      pass: check(lastLayer, 1.25, true),
      note: engineNote,
    },
    {
      issue: 3,
      what: 'augmented run / plain, gradients to the input (ResNet-50)',
      value: inputGradient,
      unit: 'x',
      limit: '<= 3.5',
      pass: check(inputGradient, 3.5, true),
      note: engineNote,
    },
    {
      issue: 4,
      what: 'Grad-CAM whole job in the worker / plain (ResNet-50)',
      value: wholeJob,
      unit: 'x',
      limit: '<= 1.5',
      pass: check(wholeJob, 1.5, true),
      note: jobNote,
    },
    {
      issue: 5,
      what: 'queue overhead at concurrency 1 (median, queue - in-process)',
      value: overhead.value,
      unit: 'ms',
      limit: '<= 10',
      pass: check(overhead.value, 10, true),
      note: overhead.note,
    },
    {
      issue: 5,
      what: 'two workers / one worker, 1 compute thread each',
      value: scaling?.ratio,
      unit: 'x',
      limit: '>= 1.7',
      pass: check(scaling?.ratio, 1.7, false),
      note: scalingNote,
    },
    serviceErrors(service, scaling),
  ];
}

/** Every load of the service and scaling sections must end without an error, a non-2xx answer or a timeout. */
function serviceErrors(
  service: ServiceResult | undefined,
  scaling: ScalingResult | undefined,
): TargetCheck {
  const loads = [
    ...(service?.rows.map((row) => row.load) ?? []),
    ...(scaling === undefined ? [] : [scaling.oneWorker, scaling.twoWorkers]),
  ];
  const failed = loads.reduce((sum, load) => sum + load.errors + load.non2xx + load.timeouts, 0);
  return {
    issue: 8,
    what: 'failed requests under load (errors, non-2xx, timeouts)',
    value: loads.length === 0 ? undefined : failed,
    unit: 'count',
    limit: '= 0',
    pass: loads.length === 0 ? undefined : failed === 0,
    note:
      loads.length === 0
        ? 'service section not run'
        : `${loads.length} loads, ${loads.reduce((sum, load) => sum + load.requests, 0)} requests`,
  };
}

function queueOverhead(service: ServiceResult | undefined): {
  value: number | undefined;
  note: string;
} {
  if (service === undefined) {
    return { value: undefined, note: 'service section not run' };
  }
  const at = (mode: string, request: string) =>
    service.rows.find((r) => r.mode === mode && r.request === request && r.load.connections === 1);
  const requests = [...new Set(service.rows.map((r) => r.request))];
  // Grad-CAM when the service has it: the request the target is about; the prediction otherwise.
  const request = requests.find((r) => r.startsWith('gradcam')) ?? requests[0];
  const inline = request === undefined ? undefined : at('in-process', request);
  const queued = request === undefined ? undefined : at('queue, 1 worker', request);

  if (inline === undefined || queued === undefined) {
    return { value: undefined, note: 'needs both in-process and queue rows at concurrency 1' };
  }
  return {
    value: queued.load.p50Ms - inline.load.p50Ms,
    note:
      `${request}: p50 ${queued.load.p50Ms.toFixed(1)} ms queued vs ${inline.load.p50Ms.toFixed(1)} ms in-process` +
      (queued.timeline === undefined
        ? ''
        : `; queued jobs waited ${queued.timeline.waitMs.toFixed(1)} ms and ran ${queued.timeline.runMs.toFixed(1)} ms (medians, BullMQ records)`),
  };
}
