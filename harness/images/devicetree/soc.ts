// What a machine must provide for the simulated SoC described by images/dt-overlays/qcom-pas-sim.dtso; keep the two in step.

/** One QEMU edu device per processor, at the slots the DT nodes are bound to (reg = devfn << 8); the mask lets DMA reach the carve-outs. */
export const SIM_SOC_DEVICES: readonly string[] = [
  'edu,addr=0x10,dma_mask=0xffffffff', // adsp, stream 0x80
  'edu,addr=0x11,dma_mask=0xffffffff', // cdsp, stream 0x88
  'edu,addr=0x12,dma_mask=0xffffffff', // iris, stream 0x90
];

/** The carve-outs end at 0x78600000, so RAM from 0x40000000 must be at least this large. */
export const SIM_SOC_MIN_MEMORY_MB = 1024;

/** Overlay each profile needs for the processors to come up: Linux maps at EL2 only when the DT says so. */
export const SIM_SOC_OVERLAYS = { 'kvm-el2': ['el2'], 'xen-el1': [], el1: [] } as const;
