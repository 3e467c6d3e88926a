// Renders the real SoC's nodes as device-tree source, from the layout data and a scenario's settings; appended to
// QEMU's own decompiled tree, whose nodes (GIC, clock, SMMU, PCIe host) are referenced by path.
import { REAL_SOC_LAYOUT, type MemoryRange, type RealRemote } from './real-soc-layout.ts';
import type { RealSocDtSettings } from './real-soc-variants.ts';

/** Paths of the QEMU-made nodes the generated ones point at. */
export interface MachinePaths {
  gic: string;
  clock: string;
  pcie: string;
  /** Absent on machines without iommu=smmuv3. */
  smmu: string | undefined;
}

export interface ChosenSettings {
  /** Linux's command line (dom0's under Xen). */
  bootargs: string;
  initrd: MemoryRange;
  /** xen-el1: Xen is what the firmware enters; Linux and its initrd become multiboot modules for dom0. */
  xen?: { bootargs: string; dom0Kernel: MemoryRange } | undefined;
}

const hex = (n: number) => `0x${n.toString(16)}`;
/** A 64-bit address or size as two cells. */
const cells64 = (n: number) => `${hex(Math.floor(n / 2 ** 32))} ${hex(n % 2 ** 32)}`;
const reg = (r: MemoryRange) => `<${cells64(r.base)} ${cells64(r.size)}>`;
const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function smp2pNode(remote: RealRemote, gic: string): string {
  const s = remote.smp2p;
  return `
	smp2p-${remote.name} {
		compatible = "qcom,smp2p";
		qcom,smem = <${s.inboundItem}>, <${s.outboundItem}>;
		interrupts-extended = <&{${gic}} 0 ${s.spi} 1>;
		qcom,ipc = <&pilot_apcs ${REAL_SOC_LAYOUT.ipcOffset} ${s.ipcBit}>;
		qcom,local-pid = <0>;
		qcom,remote-pid = <${s.remotePid}>;

		pilot_${remote.name}_smp2p_out: master-kernel {
			qcom,entry-name = "master-kernel";
			#qcom,smem-state-cells = <1>;
		};

		pilot_${remote.name}_smp2p_in: slave-kernel {
			qcom,entry-name = "slave-kernel";
			interrupt-controller;
			#interrupt-cells = <2>;
		};
	};
`;
}

function streamOf(remote: RealRemote, settings: RealSocDtSettings): number {
  // The wrong-stream bug: every remote names the CDSP's stream, so the ADSP's DMA comes from a stream nobody set up.
  return settings.iommus === 'wrong-streams' ? REAL_SOC_LAYOUT.remotes.find((r) => r.name === 'cdsp')!.streamId : remote.streamId;
}

function remoteprocNode(remote: RealRemote, paths: MachinePaths, settings: RealSocDtSettings): string {
  const i = `pilot_${remote.name}_smp2p_in`;
  const iommus = settings.iommus !== 'none' && paths.smmu ? `\n\t\tiommus = <&{${paths.smmu}} ${hex(streamOf(remote, settings))}>;` : '';
  return `
	remoteproc_${remote.name}: remoteproc-${remote.name} {
		compatible = "${remote.compatible}";
		interrupts-extended = <&{${paths.gic}} 0 ${remote.watchdogSpi} 1>,
				      <&${i} 0 1>, <&${i} 1 1>, <&${i} 2 1>, <&${i} 3 1>;
		interrupt-names = "wdog", "fatal", "ready", "handover", "stop-ack";
		clocks = <&{${paths.clock}}>;
		clock-names = "xo";
		memory-region = <&pilot_${remote.name}_mem>;
		qcom,smem-states = <&pilot_${remote.name}_smp2p_out 0>;
		qcom,smem-state-names = "stop";
		firmware-name = "${remote.firmwareName}";${iommus}
	};
`;
}

/** The PCIe host's iommu-map without the remotes' streams: those masters belong to the remoteproc nodes, not to PCI drivers. */
export function pcieIommuMap(smmu: string, excluded: readonly number[]): string {
  const entries: string[] = [];
  let from = 0;
  for (const id of [...new Set(excluded)].sort((a, b) => a - b)) {
    // Each edu's function 0 owns a whole device slot (8 requester IDs) in QEMU's numbering.
    const slotStart = id & ~7;
    if (slotStart > from) entries.push(`<${hex(from)} &{${smmu}} ${hex(from)} ${hex(slotStart - from)}>`);
    from = slotStart + 8;
  }
  entries.push(`<${hex(from)} &{${smmu}} ${hex(from)} ${hex(0x10000 - from)}>`);
  return entries.join(',\n\t\t\t    ');
}

function irisNode(paths: MachinePaths, settings: RealSocDtSettings): string {
  const iris = REAL_SOC_LAYOUT.iris;
  const firmware = settings.irisTampered ? iris.firmwareName.replace(/\.mbn$/, '-tampered.mbn') : iris.firmwareName;
  const map = settings.iommus !== 'none' && paths.smmu ? `\n\t\tiommu-map = <${hex(iris.firmwareFunction)} &{${paths.smmu}} ${hex(iris.streamId)} 0x1>;` : '';
  // dtc wants a node's properties before its subnodes.
  const pcieMap = paths.smmu ? `\n\tiommu-map = ${pcieIommuMap(paths.smmu, REAL_SOC_LAYOUT.remotes.map((r) => r.streamId))};\n` : '';
  return `
&{${paths.pcie}} {${pcieMap}
	video-codec@${(iris.devfn >> 3).toString(16)},0 {
		compatible = "${iris.compatible}";
		reg = <${hex(iris.devfn << 8)} 0x0 0x0 0x0 0x0>;
		memory-region = <&pilot_iris_mem>;
		firmware-name = "${firmware}";${map}
	};
};
`;
}

/** /chosen: Linux's command line and initrd, or under Xen, Xen's command line and dom0's kernel and initrd as modules. */
export function chosenNode(chosen: ChosenSettings, bootargs: string): string {
  if (!chosen.xen) {
    return `
	chosen {
		bootargs = ${quote(bootargs)};
		linux,initrd-start = <${cells64(chosen.initrd.base)}>;
		linux,initrd-end = <${cells64(chosen.initrd.base + chosen.initrd.size)}>;
	};
`;
  }
  const { dom0Kernel } = chosen.xen;
  return `
	chosen {
		#address-cells = <2>;
		#size-cells = <2>;
		xen,xen-bootargs = ${quote(chosen.xen.bootargs)};

		module@${dom0Kernel.base.toString(16)} {
			compatible = "multiboot,kernel", "multiboot,module";
			reg = ${reg(dom0Kernel)};
			bootargs = ${quote(bootargs)};
		};

		module@${chosen.initrd.base.toString(16)} {
			compatible = "multiboot,ramdisk", "multiboot,module";
			reg = ${reg(chosen.initrd)};
		};
	};
`;
}

/** Device-tree source for the real SoC, to append to QEMU's decompiled tree. */
export function realSocDts(paths: MachinePaths, settings: RealSocDtSettings, chosen: ChosenSettings): string {
  const L = REAL_SOC_LAYOUT;
  const bootargs = settings.passthrough ? `${chosen.bootargs} iommu.passthrough=1` : chosen.bootargs;
  const carveouts = L.remotes
    .map((r) => `\n\t\tpilot_${r.name}_mem: ${r.name}@${r.carveout.base.toString(16)} {\n\t\t\treg = ${reg(r.carveout)};\n\t\t\tno-map;\n\t\t};\n`)
    .join('');
  return `
/* pilot: the real SoC (generated by harness/images/devicetree/real-soc-dts.ts from real-soc-layout.ts) */
/ {
	psci {
		compatible = "arm,psci-1.0";
		method = "smc";
	};

	firmware {
		scm {
			compatible = "qcom,scm";
		};
	};

	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;

		smem@${L.smem.base.toString(16)} {
			compatible = "qcom,smem";
			reg = ${reg(L.smem)};
			no-map;
			hwlocks = <&pilot_tcsr_mutex ${L.smemHwlock}>;
		};

		/* the TCSR mutex page and the IPC page: ordinary RAM standing in for registers */
		ipc@${L.mutexReserved.base.toString(16)} {
			reg = ${reg(L.mutexReserved)};
			no-map;
		};
${carveouts}
		pilot_iris_mem: pil-video@${L.iris.carveout.base.toString(16)} {
			reg = ${reg(L.iris.carveout)};
			no-map;
		};
	};

	pilot_tcsr_mutex: hwlock@${L.mutex.base.toString(16)} {
		compatible = "qcom,tcsr-mutex";
		reg = ${reg(L.mutex)};
		#hwlock-cells = <1>;
	};

	pilot_apcs: syscon@${L.ipc.base.toString(16)} {
		compatible = "syscon";
		reg = ${reg(L.ipc)};
	};
${L.remotes.map((r) => smp2pNode(r, paths.gic)).join('')}${L.remotes.map((r) => remoteprocNode(r, paths, settings)).join('')}${chosenNode(chosen, bootargs)}};
${irisNode(paths, settings)}`;
}
