import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { parseScenario, type LoadedScenario } from '../../harness/scenario/load.ts';
import { expandMatrix } from '../../harness/scenario/matrix.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

function scenario(name: string, profiles?: string): LoadedScenario {
  const text = `name: ${name}\n${profiles ? `profiles: ${profiles}\n` : ''}steps: [{ run: "true" }]\n`;
  return parseScenario(text, `${name}.yaml`, STEP_KINDS).scenario!;
}

describe('expandMatrix', () => {
  const boot = scenario('boot');
  const el2 = scenario('el2-only', '[kvm-el2]');
  const pair = scenario('pair', '[el1, kvm-el2]');

  it('makes one run per scenario and profile, with ids <name>@<profile>', () => {
    expect(expandMatrix([boot, el2, pair]).map((run) => run.id)).toEqual([
      'boot@kvm-el2',
      'boot@xen-el1',
      'boot@el1',
      'el2-only@kvm-el2',
      'pair@el1',
      'pair@kvm-el2',
    ]);
  });

  it('keeps the scenario object with each run', () => {
    const [run] = expandMatrix([el2]);
    expect(run).toMatchObject({ id: 'el2-only@kvm-el2', profile: 'kvm-el2' });
    expect(run!.scenario).toBe(el2);
  });

  it('narrows to the profiles asked for', () => {
    expect(expandMatrix([boot, el2, pair], ['el1']).map((run) => run.id)).toEqual(['boot@el1', 'pair@el1']);
    expect(expandMatrix([boot, el2, pair], ['xen-el1', 'kvm-el2']).map((run) => run.id)).toEqual([
      'boot@kvm-el2',
      'boot@xen-el1',
      'el2-only@kvm-el2',
      'pair@kvm-el2',
    ]);
  });

  it('rejects a profile that no scenario names', () => {
    let error: unknown;
    try {
      expandMatrix([el2, pair], ['el1', 'xen-el1']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({
      code: 'E_PROFILE_UNUSED',
      message: '--profile xen-el1: no scenario runs on that profile (the scenarios given name kvm-el2, el1)',
    });
  });
});
