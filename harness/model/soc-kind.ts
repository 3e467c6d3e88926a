// Which SoC a run gets: the kernel's own Qualcomm drivers against pilot's EL3 firmware, or the simulation module.

/** real: Debian's 6.12 kernel with qcom_scm/qcom_q6v5_pas/… and the EL3 firmware (DESIGN.md 3a); sim: qcom_pas_sim on 6.1 (3b). */
export const SOC_KINDS = ['sim', 'real'] as const;
export type SocKind = (typeof SOC_KINDS)[number];

/** Today's scenarios keep the simulation unless they ask. */
export const DEFAULT_SOC: SocKind = 'sim';
