// The device-tree overlays pilot knows: one .dtso per name in images/dt-overlays/; the base SoC fragment is always applied.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError, InputError } from '../../core/errors.ts';

export const DEFAULT_OVERLAY_DIR = fileURLToPath(new URL('../../../images/dt-overlays/', import.meta.url));

/** The simulated SoC itself: carve-outs and processor nodes, without iommus (a hypervisor-present platform). */
export const BASE_OVERLAY = 'qcom-pas-sim';

export interface OverlayInfo {
  name: string;
  path: string;
  /** The first sentence of the source's header comment. */
  summary: string;
}

function summaryOf(source: string): string {
  const comment = /\/\*([\s\S]*?)\*\//.exec(source)?.[1] ?? '';
  const text = comment
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .filter(Boolean)
    .join(' ');
  return (/^(.*?\.)(\s|$)/.exec(text)?.[1] ?? text).trim();
}

async function readOverlay(dir: string, file: string): Promise<OverlayInfo> {
  const path = join(dir, file);
  return { name: basename(file, '.dtso'), path, summary: summaryOf(await readFile(path, 'utf8')) };
}

/** Every overlay a scenario may name (the base fragment is not one of them), sorted by name. */
export async function listOverlays(dir = DEFAULT_OVERLAY_DIR): Promise<OverlayInfo[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (error) {
    throw new InfraError('E_DTB_OVERLAY_DIR', `cannot read the overlay folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const names = files
    .filter((file) => file.endsWith('.dtso'))
    .map((file) => basename(file, '.dtso'))
    .filter((name) => name !== BASE_OVERLAY)
    .sort();
  return Promise.all(names.map((name) => readOverlay(dir, `${name}.dtso`)));
}

export async function baseOverlay(dir = DEFAULT_OVERLAY_DIR): Promise<OverlayInfo> {
  try {
    return await readOverlay(dir, `${BASE_OVERLAY}.dtso`);
  } catch (error) {
    throw new InfraError('E_DTB_OVERLAY_DIR', `the base SoC fragment ${BASE_OVERLAY}.dtso is missing from ${dir}`, { cause: error });
  }
}

/** Maps names to overlays in the order given; an unknown or repeated name is the user's mistake. */
export async function resolveOverlays(names: readonly string[], dir = DEFAULT_OVERLAY_DIR): Promise<OverlayInfo[]> {
  const known = await listOverlays(dir);
  const byName = new Map(known.map((overlay) => [overlay.name, overlay]));
  const knownList = known.map((overlay) => overlay.name).join(', ');
  const seen = new Set<string>();
  return names.map((name) => {
    const overlay = byName.get(name);
    if (!overlay) {
      const why = name === BASE_OVERLAY ? 'is always applied and cannot be named' : 'is not a known overlay';
      throw new InputError('E_DTB_OVERLAY_UNKNOWN', `dtb overlay "${name}" ${why}; known overlays: ${knownList}`, {
        hint: `overlays live in ${dir} as <name>.dtso`,
      });
    }
    if (seen.has(name)) throw new InputError('E_DTB_OVERLAY_REPEATED', `dtb overlay "${name}" is named twice`);
    seen.add(name);
    return overlay;
  });
}
