// Loads images/firmware/recipe.yaml: which processors get firmware, under which names, with which variants.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { InputError } from '../../core/errors.ts';
import { FORMAT_VERSION } from './format.ts';

export const DEFAULT_RECIPE_PATH = fileURLToPath(new URL('../../../images/firmware/recipe.yaml', import.meta.url));

export const VARIANTS = ['tampered', 'bad-signature', 'elf64'] as const;
export type Variant = 'good' | (typeof VARIANTS)[number];

const ProcessorSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9]*$/),
  pasId: z.number().int().min(1).max(63),
  firmware: z.string().regex(/^[\w./-]+\.mbn$/, 'a relative path ending in .mbn'),
  machine: z.number().int().min(0).max(0xffff),
  eFlags: z.number().int().min(0).max(0xffffffff),
  base: z.number().int().min(0).max(0xffff0000).multipleOf(0x1000),
  banner: z.string().max(31),
  variants: z.array(z.enum(VARIANTS)).default([]),
});

const RecipeSchema = z.object({
  formatVersion: z.literal(FORMAT_VERSION),
  processors: z.array(ProcessorSchema).min(1),
});

export type ProcessorRecipe = z.infer<typeof ProcessorSchema>;
export type FirmwareRecipe = z.infer<typeof RecipeSchema>;

export function parseRecipe(text: string, source: string): FirmwareRecipe {
  const result = RecipeSchema.safeParse(parse(text));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new InputError('E_FIRMWARE_RECIPE', `${source}: invalid firmware recipe: ${problems.join('; ')}`, { evidence: problems });
  }
  return result.data;
}

export async function loadRecipe(path = DEFAULT_RECIPE_PATH): Promise<FirmwareRecipe> {
  return parseRecipe(await readFile(path, 'utf8'), path);
}

/** qcom/sa8775p/adsp.mbn + tampered -> qcom/sa8775p/adsp-tampered.mbn */
export function variantName(firmware: string, variant: Variant): string {
  return variant === 'good' ? firmware : firmware.replace(/\.mbn$/, `-${variant}.mbn`);
}
