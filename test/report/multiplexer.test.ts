import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReporterMux, type ReporterHook } from '../../harness/report/multiplexer.ts';
import type { Reporter } from '../../harness/report/reporter.ts';
import { failRun, passRun, planned, summaryOf } from './fixtures.ts';

const plan = { runs: [planned(passRun)], artifactsDir: '/tmp/a', jobs: 1 };

function recorder(name: string, calls: string[]): Reporter {
  return {
    name,
    onBegin: () => void calls.push(`${name}.onBegin`),
    onRunBegin: (run) => void calls.push(`${name}.onRunBegin ${run.id}`),
    onPhase: (run, phase) => void calls.push(`${name}.onPhase ${phase}`),
    onStepBegin: (run, index) => void calls.push(`${name}.onStepBegin ${index}`),
    onStepEnd: (run, step) => void calls.push(`${name}.onStepEnd ${step.index}`),
    onConsole: (run, chunk) => void calls.push(`${name}.onConsole ${chunk}`),
    onRunEnd: (run, result) => void calls.push(`${name}.onRunEnd ${result.status}`),
    onEnd: async (summary) => void calls.push(`${name}.onEnd ${summary.runs.length}`),
  };
}

async function driveOneRun(mux: Required<Reporter>): Promise<void> {
  const run = planned(passRun);
  await mux.onBegin(plan);
  mux.onRunBegin(run);
  mux.onPhase(run, 'kernel-boot');
  mux.onStepBegin(run, 0, 'expect-el 1');
  mux.onConsole(run, 'login:');
  mux.onStepEnd(run, passRun.steps[0]!);
  mux.onRunEnd(run, passRun);
  await mux.onEnd(summaryOf([passRun]));
}

afterEach(() => vi.restoreAllMocks());

describe('createReporterMux', () => {
  it('calls every hook of every reporter, in reporter order', async () => {
    const calls: string[] = [];
    await driveOneRun(createReporterMux([recorder('a', calls), recorder('b', calls)]));
    expect(calls).toEqual([
      'a.onBegin', 'b.onBegin',
      'a.onRunBegin boot@el1', 'b.onRunBegin boot@el1',
      'a.onPhase kernel-boot', 'b.onPhase kernel-boot',
      'a.onStepBegin 0', 'b.onStepBegin 0',
      'a.onConsole login:', 'b.onConsole login:',
      'a.onStepEnd 0', 'b.onStepEnd 0',
      'a.onRunEnd pass', 'b.onRunEnd pass',
      'a.onEnd 1', 'b.onEnd 1',
    ]);
  });

  it('keeps calling the others when one throws, and reports each failing hook once', async () => {
    const calls: string[] = [];
    const errors: Array<[string, ReporterHook, unknown]> = [];
    const broken: Reporter = {
      name: 'broken',
      onRunBegin: () => {
        throw new Error('boom in onRunBegin');
      },
      onEnd: async () => {
        throw new Error('boom in onEnd');
      },
    };
    const mux = createReporterMux([broken, recorder('ok', calls)], (name, hook, error) => errors.push([name, hook, error]));
    const run = planned(failRun);
    mux.onRunBegin(run);
    mux.onRunBegin(run);
    mux.onRunBegin(run);
    await expect(mux.onEnd(summaryOf([failRun]))).resolves.toBeUndefined();

    expect(calls).toEqual(['ok.onRunBegin adsp@kvm-el2', 'ok.onRunBegin adsp@kvm-el2', 'ok.onRunBegin adsp@kvm-el2', 'ok.onEnd 1']);
    expect(errors.map(([name, hook]) => `${name}/${hook}`)).toEqual(['broken/onRunBegin', 'broken/onEnd']);
    expect((errors[1]![2] as Error).message).toBe('boom in onEnd');
  });

  it('catches a rejected promise returned from a sync hook', async () => {
    const errors: string[] = [];
    const asyncRunEnd: Reporter = { name: 'async', onRunEnd: () => Promise.reject(new Error('disk full')) as unknown as void };
    const mux = createReporterMux([asyncRunEnd], (name, hook, error) => errors.push(`${name}/${hook}: ${(error as Error).message}`));
    mux.onRunEnd(planned(failRun), failRun);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual(['async/onRunEnd: disk full']);
  });

  it('names a reporter by its class when it has no name', async () => {
    class SulkyReporter implements Reporter {
      onPhase(): void {
        throw new Error('no');
      }
    }
    const names: string[] = [];
    const mux = createReporterMux([{ onPhase: () => { throw new Error('x'); } }, new SulkyReporter()], (name) => names.push(name));
    mux.onPhase(planned(passRun), 'qemu-start');
    expect(names).toEqual(['reporter #1', 'SulkyReporter']);
  });

  it('writes to stderr by default, once per reporter and hook', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const mux = createReporterMux([{ name: 'flaky', onConsole: () => { throw new Error('cannot print'); } }]);
    for (let i = 0; i < 5; i++) mux.onConsole(planned(passRun), `chunk ${i}`);
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(String(stderr.mock.calls[0]![0])).toMatch(/reporter "flaky" failed in onConsole[\s\S]*cannot print/);
  });

  it('survives an error handler that throws', () => {
    const mux = createReporterMux([{ onRunBegin: () => { throw new Error('a'); } }], () => {
      throw new Error('handler broke');
    });
    expect(() => mux.onRunBegin(planned(passRun))).not.toThrow();
  });
});
