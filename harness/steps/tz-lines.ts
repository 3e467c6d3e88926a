// The EL3 firmware's tz log lines a scenario asks about by name (PAS calls, SHM bridges, refusals), as matchers, so nobody writes these regexes twice.
//
// Format (images/el3-firmware/README.md, "Host channel", and the tz_log calls of pas.c, bridge.c, host-channel.c):
//   tz: <area> <event> [key=value …] [-> result | ok | refused: <reason>]
//   tz: smc pas init_image pas=1 meta=0x… ok adsp elf32 phnum=5 entry=0x8b800000 span=0x28000 relocatable
//   tz: smc pas init_image pas=1 meta=0x… refused: signature does not verify with the OEM key
//   tz: smc pas mem_setup pas=1 addr=0x7c200000 size=0x28000 ok
//   tz: smc pas auth_and_reset pas=1 ok adsp segments=3 verified base=0x7c200000
//   tz: smc pas auth_and_reset pas=1 refused: fault refuse-auth
//   tz: smc pas shutdown pas=1 ok adsp was running
//   tz: bridge create handle=0x5b000001 addr=0x… size=0x… ns_perm=0x6 s_perm=0x6 vmids=0x3
//   tz: bridge create addr=0x… size=0x… refused: overlaps handle=0x…
//   tz: bridge delete handle=0x5b000001 addr=0x… size=0x…
//   tz: bridge delete handle=0x… refused: no such bridge
//   tz: host ok <command>
//   tz: host error <reason>: <command>
import { TZ_PROCESSORS, type TzProcessor } from '../model/trust-zone.ts';

export const PAS_CALLS = ['init_image', 'mem_setup', 'auth_and_reset', 'shutdown'] as const;
export type PasCall = (typeof PAS_CALLS)[number];

export interface TzLineMatcher {
  /** What the line is, for notes and messages: `adsp (pas=1) init_image ok`. */
  label: string;
  test(line: string): boolean;
}

/** The call's arguments come as key=value words before the verdict; a refusal carries none of `ok`. */
const ARGUMENTS = '(?: [^ =]+=[^ ]+)*';

function pasOf(processor: TzProcessor | undefined): string {
  return processor === undefined ? '\\d+' : String(TZ_PROCESSORS[processor]);
}

function who(processor: TzProcessor | undefined): string {
  return processor === undefined ? 'any processor' : `${processor} (pas=${TZ_PROCESSORS[processor]})`;
}

/** `tz: smc pas <call> pas=<id> … ok`: TrustZone accepted the call. */
export function pasCallSucceeded(processor: TzProcessor, call: PasCall): TzLineMatcher {
  const regex = new RegExp(`^tz: smc pas ${call} pas=${pasOf(processor)}${ARGUMENTS} ok(?: |$)`);
  return { label: `${who(processor)} ${call} ok`, test: (line) => regex.test(line) };
}

/** `tz: smc pas <call> pas=<id> … refused: <reason>`, the reason containing `reason` when given. */
export function pasCallRefused(call: PasCall, processor?: TzProcessor, reason?: string): TzLineMatcher {
  const regex = new RegExp(`^tz: smc pas ${call} pas=${pasOf(processor)}${ARGUMENTS} refused: (.*)$`);
  const because = reason === undefined ? '' : ` with a reason containing "${reason}"`;
  return {
    label: `${call} refused for ${who(processor)}${because}`,
    test: (line) => {
      const found = regex.exec(line);
      return found !== null && (reason === undefined || found[1]!.includes(reason));
    },
  };
}

/** A bridge the firmware made or removed; its refusals (`refused: …`, no handle or no addr) are not that. */
export function bridgeChanged(change: 'created' | 'deleted'): TzLineMatcher {
  const regex = change === 'created' ? /^tz: bridge create handle=0x[0-9a-f]+ / : /^tz: bridge delete handle=0x[0-9a-f]+ addr=/;
  return { label: `an SHM bridge ${change}`, test: (line) => regex.test(line) };
}

export { hostAnswer } from '../model/trust-zone.ts';
