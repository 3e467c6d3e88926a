// The real SoC's generated device-tree source: the firmware's memory map, and the scenario variants turned into properties.
import { describe, expect, it } from 'vitest';
import { pcieIommuMap, realSocDts } from '../../harness/images/devicetree/real-soc-dts.ts';
import { withPsciEnableMethod } from '../../harness/images/devicetree/real-soc-dtb.ts';
import { REAL_SOC_VARIANT_NAMES, realSocDtSettings } from '../../harness/images/devicetree/real-soc-variants.ts';

const paths = { gic: '/intc@8000000', clock: '/apb-pclk', pcie: '/pcie@10000000', smmu: '/smmuv3@9050000' };
const chosen = { bootargs: 'console=ttyAMA0 panic=-1', initrd: { base: 0x4c100000, size: 0x1000 } };

describe('realSocDts', () => {
  it('leaves the remotes\' stream slots out of the PCIe iommu-map, as board-smmu.dtsi does', () => {
    expect(pcieIommuMap('/smmuv3@9050000', [0x80, 0x88])).toBe('<0x0 &{/smmuv3@9050000} 0x0 0x80>,\n\t\t\t    <0x90 &{/smmuv3@9050000} 0x90 0xff70>');
  });

  it('gives no iommus without a variant, and the streams with el2', () => {
    const plain = realSocDts(paths, realSocDtSettings([]), chosen);
    expect(plain).not.toContain('iommus');
    expect(plain).toContain('compatible = "qcom,sm6115-adsp-pas"');
    expect(plain).toContain('firmware-name = "qcom/sa8775p/cdsp0.mbn"');
    expect(plain).toContain('linux,initrd-end = <0x0 0x4c101000>');
    const el2 = realSocDts(paths, realSocDtSettings(['el2']), chosen);
    expect(el2).toContain('iommus = <&{/smmuv3@9050000} 0x80>');
    expect(el2).toContain('iommus = <&{/smmuv3@9050000} 0x88>');
    expect(el2).toContain('iommu-map = <0x1 &{/smmuv3@9050000} 0x90 0x1>');
  });

  it('reads every variant name', () => {
    expect(REAL_SOC_VARIANT_NAMES).toEqual(['el2', 'el2-wrong-stream', 'iommu-passthrough', 'iris-tampered']);
    const all = realSocDts(paths, realSocDtSettings(['el2-wrong-stream', 'iommu-passthrough', 'iris-tampered']), chosen);
    expect(all.match(/iommus = <&\{\/smmuv3@9050000\} 0x88>/g)).toHaveLength(2);
    expect(all).toContain('bootargs = "console=ttyAMA0 panic=-1 iommu.passthrough=1"');
    expect(all).toContain('qcom/vpu/vpu30_p4-tampered.mbn');
  });

  it('leaves iommus out on a machine without an SMMU even when el2 asks', () => {
    expect(realSocDts({ ...paths, smmu: undefined }, realSocDtSettings(['el2']), chosen)).not.toMatch(/iommus|iommu-map/);
  });

  it('under Xen, gives /chosen Xen\'s command line and dom0\'s kernel and initrd as multiboot modules, and no linux,initrd', () => {
    const xen = realSocDts({ ...paths, smmu: undefined }, realSocDtSettings([]), {
      ...chosen,
      bootargs: 'console=hvc0 panic=-1',
      xen: { bootargs: 'dom0_mem=512M', dom0Kernel: { base: 0x41000000, size: 0x2a3b7c0 } },
    });
    expect(xen).toContain('xen,xen-bootargs = "dom0_mem=512M";');
    expect(xen).toContain('module@41000000 {\n\t\t\tcompatible = "multiboot,kernel", "multiboot,module";\n\t\t\treg = <0x0 0x41000000 0x0 0x2a3b7c0>;\n\t\t\tbootargs = "console=hvc0 panic=-1";');
    expect(xen).toContain('module@4c100000 {\n\t\t\tcompatible = "multiboot,ramdisk", "multiboot,module";\n\t\t\treg = <0x0 0x4c100000 0x0 0x1000>;');
    expect(xen).not.toMatch(/linux,initrd|iommus/);
    // The qcom nodes pass to dom0 unchanged: Xen maps dom0 1:1, so the carve-outs keep their addresses.
    expect(xen).toContain('compatible = "qcom,scm"');
    expect(xen).toContain('reg = <0x0 0x7c200000 0x0 0x200000>');
  });

  it('names PSCI as every CPU\'s enable method', () => {
    expect(withPsciEnableMethod('\t\tcpu@0 {\n\t\t\tdevice_type = "cpu";\n')).toBe('\t\tcpu@0 {\n\t\t\tdevice_type = "cpu";\n\t\t\tenable-method = "psci";\n');
  });
});
