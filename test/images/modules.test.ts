import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BASE_GUEST_MODULES,
  moduleName,
  parseModulesBuiltin,
  parseModulesDep,
  planModuleLoad,
  OPTIONAL_GUEST_MODULES,
  type ModuleIndex,
} from '../../harness/images/modules.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function index(): ModuleIndex {
  return { ...parseModulesDep(fixture('modules.dep')), builtin: parseModulesBuiltin(fixture('modules.builtin')) };
}

/** Every module must come after all modules.dep says it needs. */
function assertDependencyOrder(idx: ModuleIndex, order: string[]) {
  for (const [i, path] of order.entries()) {
    for (const dep of idx.deps.get(path) ?? []) expect(order.indexOf(dep), `${dep} before ${path}`).toBeLessThan(i);
  }
}

describe('module load planning from modules.dep', () => {
  it('names modules as the kernel does (no suffix, dashes as underscores)', () => {
    expect(moduleName('kernel/drivers/soc/qcom/qcom-smd-rpm.ko.xz')).toBe('qcom_smd_rpm');
    expect(moduleName('kernel/net/core/failover.ko')).toBe('failover');
  });

  it('orders the virtio network stack with dependencies first', () => {
    const idx = index();
    const plan = planModuleLoad(idx, ['virtio_net', 'virtio_pci']);
    expect(plan.loadOrder).toEqual([
      'kernel/net/core/failover.ko',
      'kernel/drivers/net/net_failover.ko',
      'kernel/drivers/net/virtio_net.ko',
      'kernel/drivers/virtio/virtio_pci_modern_dev.ko',
      'kernel/drivers/virtio/virtio_pci_legacy_dev.ko',
      'kernel/drivers/virtio/virtio_pci.ko',
    ]);
    assertDependencyOrder(idx, plan.loadOrder);
    expect(plan.loadOrder).toHaveLength(6);
    expect(plan.loadOrder.at(-1)).toBe('kernel/drivers/virtio/virtio_pci.ko');
    expect(plan.loadOrder.indexOf('kernel/net/core/failover.ko')).toBeLessThan(plan.loadOrder.indexOf('kernel/drivers/net/net_failover.ko'));
  });

  it('loads each module once and keeps the base list valid', () => {
    const idx = index();
    const plan = planModuleLoad(idx, [...BASE_GUEST_MODULES, 'failover', 'virtio_net']);
    expect(new Set(plan.loadOrder).size).toBe(plan.loadOrder.length);
    expect(plan.loadOrder).toHaveLength(6);
    assertDependencyOrder(idx, plan.loadOrder);
  });

  it('pulls in the whole dependency tree of an extra module, accepting dashed names', () => {
    const idx = index();
    const plan = planModuleLoad(idx, ['qcom-q6v5-pas']);
    expect(plan.loadOrder.at(-1)).toBe('kernel/drivers/remoteproc/qcom_q6v5_pas.ko.xz');
    expect(plan.loadOrder).toHaveLength(5);
    assertDependencyOrder(idx, plan.loadOrder);
  });

  it('reports built-in modules instead of loading them, and rejects unknown ones', () => {
    const idx = index();
    expect(planModuleLoad(idx, ['remoteproc', 'virtio'])).toEqual({ loadOrder: [], builtin: ['remoteproc', 'virtio'] });
    expect(() => planModuleLoad(idx, ['no_such_module'])).toThrow(expect.objectContaining({ code: 'E_MODULE_UNKNOWN' }));
    // A kernel under test without the boot disk's NLS tables: skipped when optional, still refused when not.
    expect(planModuleLoad(idx, ['nls_ascii'], OPTIONAL_GUEST_MODULES)).toEqual({ loadOrder: [], builtin: [] });
    expect(() => planModuleLoad(idx, ['virtio_net_missing'], OPTIONAL_GUEST_MODULES)).toThrow(expect.objectContaining({ code: 'E_MODULE_UNKNOWN' }));
  });

  it('detects a dependency cycle', () => {
    const idx: ModuleIndex = { ...parseModulesDep('a.ko: b.ko\nb.ko: a.ko\n'), builtin: new Set() };
    expect(() => planModuleLoad(idx, ['a'])).toThrow(expect.objectContaining({ code: 'E_MODULE_CYCLE' }));
  });
});
