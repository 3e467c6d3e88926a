// The real SoC's board as data: the EL3 firmware's memory map, interrupts, SMEM items and bus masters
// (images/el3-firmware/platform.h and remote.c; keep them in step), plus Iris, which stays simulated.

export interface MemoryRange {
  base: number;
  size: number;
}

/** One remote processor the firmware plays; the kernel drives it with qcom_q6v5_pas. */
export interface RealRemote {
  name: 'adsp' | 'cdsp';
  /** The PAS compatible with the fewest resources (no power domains, no interconnects, one clock): sm6115's. */
  compatible: string;
  carveout: MemoryRange;
  smp2p: {
    /** SMEM item the remote writes (its outbound entry) and the one Linux allocates. */
    inboundItem: number;
    outboundItem: number;
    remotePid: number;
    /** SPI the firmware raises on every change of the remote's entry. */
    spi: number;
    /** Bit of the IPC syscon Linux writes to kick the remote (the firmware polls instead). */
    ipcBit: number;
  };
  watchdogSpi: number;
  /** The edu's PCI requester ID, used as its SMMU stream ID (devfn << 3… as QEMU's 1:1 map gives). */
  streamId: number;
  /** Under /lib/firmware; the simulation's names, so scenarios read the same on both SoCs. */
  firmwareName: string;
}

/** QEMU edu device per remote at the slots the firmware's ECAM lookup expects (00:10.0, 00:11.0), plus Iris's. */
export const REAL_SOC_DEVICES: readonly string[] = [
  'edu,addr=0x10,dma_mask=0xffffffff', // adsp, stream 0x80, driven by the firmware
  'edu,addr=0x11,dma_mask=0xffffffff', // cdsp, stream 0x88, driven by the firmware
  'edu,addr=0x12,dma_mask=0xffffffff', // iris, stream 0x90, driven by qcom_pas_sim
];

export const REAL_SOC_LAYOUT = {
  smem: { base: 0x7c00_0000, size: 0x10_0000 },
  /** RAM standing in for the TCSR mutex registers; the reserved range also covers the IPC page after it. */
  mutex: { base: 0x7c10_0000, size: 0x2_0000 },
  mutexReserved: { base: 0x7c10_0000, size: 0x2_1000 },
  /** SMEM's hardware lock: qcom_smem takes lock 3 of the TCSR mutex. */
  smemHwlock: 3,
  ipc: { base: 0x7c12_0000, size: 0x1000 },
  /** The IPC syscon register offset qcom,ipc names. */
  ipcOffset: 8,
  remotes: [
    {
      name: 'adsp',
      compatible: 'qcom,sm6115-adsp-pas',
      carveout: { base: 0x7c20_0000, size: 0x20_0000 },
      smp2p: { inboundItem: 443, outboundItem: 429, remotePid: 2, spi: 80, ipcBit: 10 },
      watchdogSpi: 81,
      streamId: 0x80,
      firmwareName: 'qcom/sa8775p/adsp.mbn',
    },
    {
      name: 'cdsp',
      compatible: 'qcom,sm6115-cdsp-pas',
      carveout: { base: 0x7c40_0000, size: 0x20_0000 },
      smp2p: { inboundItem: 94, outboundItem: 432, remotePid: 5, spi: 82, ipcBit: 11 },
      watchdogSpi: 83,
      streamId: 0x88,
      firmwareName: 'qcom/sa8775p/cdsp0.mbn',
    },
  ] satisfies RealRemote[],
  /** Iris stays the simulation's: its node under the PCIe host, bound to the edu at 00:12.0 (images/dt-overlays/qcom-pas-sim.dtso). */
  iris: {
    compatible: 'pilot,sa8775p-iris-sim',
    devfn: 0x12 << 3,
    carveout: { base: 0x7840_0000, size: 0x20_0000 },
    streamId: 0x90,
    /** Function id of Iris's firmware stream in its iommu-map (as upstream's iris binding). */
    firmwareFunction: 0x1,
    firmwareName: 'qcom/vpu/vpu30_p4.mbn',
  },
} as const;

/** Where the firmware and QEMU's loader put Linux's pieces (README "Memory map"): the firmware ERETs to the Image with x0 = DTB. */
export const SECURE_BOOT_ADDRESSES = {
  kernel: 0x4020_0000,
  dtb: 0x4c00_0000,
  initrd: 0x4c10_0000,
  /** xen-el1: Xen takes the kernel slot (the firmware enters it at EL2) and dom0's kernel goes here, a multiboot module below the DTB. */
  dom0Kernel: 0x4100_0000,
} as const;

/** The carve-outs end below 0x80000000: RAM from 0x40000000 must be at least this large. */
export const REAL_SOC_MIN_MEMORY_MB = 1024;
