import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { takeInBandStatus, withInBandStatus } from '../../harness/guest/ssh-exec.ts';

// The wrapper is shell text; running it through a real sh is the honest check that it reports what the command did.
function runWrapped(command: string) {
  const result = spawnSync('sh', ['-c', withInBandStatus(command)], { encoding: 'utf8' });
  const inBand = takeInBandStatus(result.stderr);
  // The shell's own exit status is what dropbear reports when it does send one: it must be the command's too.
  expect(result.status).toBe(inBand.code);
  return { ...inBand, stdout: result.stdout };
}

describe('in-band exit status', () => {
  it('reports the status and leaves stdout and stderr as the command wrote them', () => {
    expect(runWrapped('echo hi; echo err >&2; exit 3')).toEqual({ code: 3, stdout: 'hi\n', stderr: 'err\n' });
    expect(runWrapped('true')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('keeps stderr that does not end in a newline', () => {
    expect(runWrapped("printf 'no newline' >&2; false")).toEqual({ code: 1, stdout: '', stderr: 'no newline' });
  });

  it('survives commands ending in a comment or spanning lines', () => {
    expect(runWrapped('echo a # trailing comment')).toMatchObject({ code: 0, stdout: 'a\n' });
    expect(runWrapped('for i in 1 2; do\n  echo $i\ndone\nexit 7')).toMatchObject({ code: 7, stdout: '1\n2\n' });
  });

  it('gives undefined when the shell never printed it', () => {
    expect(takeInBandStatus('killed\n')).toEqual({ stderr: 'killed\n', code: undefined });
  });
});
