// What each `dtb-overlays` name means on the real SoC's generated tree: the same names as the simulation's
// overlays where the idea carries over, turned into generator settings instead of .dtso files.

export interface RealSocDtSettings {
  /** 'linux-maps': the remoteproc nodes get `iommus` (and Iris its iommu-map), as upstream's EL2 DTs do; 'wrong-streams': both
   * remotes claim the CDSP's stream; 'none': no `iommus`, a hypervisor-present platform. */
  iommus: 'none' | 'linux-maps' | 'wrong-streams';
  /** Adds iommu.passthrough=1 to /chosen bootargs: stock 6.12 does not map a PAS carve-out, so at EL2 this is what lets the remotes boot. */
  passthrough: boolean;
  /** Iris's firmware-name points at the tampered image. */
  irisTampered: boolean;
}

export interface RealSocVariant {
  name: string;
  summary: string;
  apply(settings: RealSocDtSettings): RealSocDtSettings;
}

export const REAL_SOC_VARIANTS: readonly RealSocVariant[] = [
  {
    name: 'el2',
    summary: 'No hypervisor: the remoteproc nodes get `iommus` (the PCIe iommu-map leaves their streams out) and Iris its iommu-map.',
    apply: (s) => ({ ...s, iommus: 'linux-maps' }),
  },
  {
    name: 'el2-wrong-stream',
    summary: 'Like el2, but both remoteproc nodes name the CDSP\'s stream: a DT bug.',
    apply: (s) => ({ ...s, iommus: 'wrong-streams' }),
  },
  {
    name: 'iommu-passthrough',
    summary: 'Boots with iommu.passthrough=1 (in /chosen bootargs): what lets a stock 6.12 start its PAS remotes at EL2.',
    apply: (s) => ({ ...s, passthrough: true }),
  },
  {
    name: 'iris-tampered',
    summary: 'Iris\'s firmware-name points at the tampered image.',
    apply: (s) => ({ ...s, irisTampered: true }),
  },
];

export const REAL_SOC_VARIANT_NAMES: readonly string[] = REAL_SOC_VARIANTS.map((variant) => variant.name);

/** The settings a list of names makes, in order; unknown names are rejected when the scenario loads, so they cannot reach here. */
export function realSocDtSettings(names: readonly string[]): RealSocDtSettings {
  let settings: RealSocDtSettings = { iommus: 'none', passthrough: false, irisTampered: false };
  for (const name of names) {
    const variant = REAL_SOC_VARIANTS.find((candidate) => candidate.name === name);
    if (!variant) throw new Error(`no real-SoC device-tree variant named ${name}`);
    settings = variant.apply(settings);
  }
  return settings;
}
