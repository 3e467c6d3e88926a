// LAVA's own job schema validator (Debian's lava-common), run by the system Python: PATH may put another python first.
import { execFileSync } from 'node:child_process';

const SCRIPT = `
import json, sys, yaml
from lava_common.schemas import validate
out = []
for text in json.load(sys.stdin):
    try:
        validate(yaml.safe_load(text), strict=True)
        out.append(None)
    except Exception as error:
        out.append('%s: %s' % (type(error).__name__, error))
print(json.dumps(out))
`;

/** One entry per job: null when LAVA accepts it, else LAVA's complaint. */
export function lavaValidate(jobs: string[]): Array<string | null> {
  const stdout = execFileSync('/usr/bin/python3', ['-c', SCRIPT], { input: JSON.stringify(jobs), encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(stdout) as Array<string | null>;
}
