// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulated Qualcomm SA8775p-like SoC: ADSP (PAS 1) and CDSP (PAS 18) as
 * remoteprocs, Iris (PAS 9) as a V4L2 decoder. Each processor is a QEMU edu
 * PCI device whose device-tree node (a child of the PCI host bridge, tied to
 * the device by its devfn) says which processor it is, where its carve-out
 * lives and whether Linux owns its IOMMU mapping.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "dsp.h"
#include "pas_sim.h"
#include "tz.h"

unsigned int pas_sim_start_timeout_ms = 5000;
module_param_named(start_timeout_ms, pas_sim_start_timeout_ms, uint, 0644);
MODULE_PARM_DESC(start_timeout_ms, "How long start waits for the processor (upstream: 5000)");

unsigned int pas_sim_stop_timeout_ms = 5000;
module_param_named(stop_timeout_ms, pas_sim_stop_timeout_ms, uint, 0644);
MODULE_PARM_DESC(stop_timeout_ms, "How long stop waits for the processor's ack (upstream: 5000)");

unsigned int pas_sim_heartbeat_ms = 2000;
module_param_named(heartbeat_ms, pas_sim_heartbeat_ms, uint, 0644);
MODULE_PARM_DESC(heartbeat_ms, "Interval of the simulated watchdog's ping, 0 to disable");

static struct dentry *pas_sim_debugfs_root;

static const struct pas_sim_desc adsp_desc = {
	.name = "adsp",
	.pas_id = 1,
	.firmware_name = "qcom/sa8775p/adsp.mbn",
	.kind = PAS_SIM_RPROC,
};

static const struct pas_sim_desc cdsp_desc = {
	.name = "cdsp",
	.pas_id = 18,
	.firmware_name = "qcom/sa8775p/cdsp0.mbn",
	.kind = PAS_SIM_RPROC,
};

static const struct pas_sim_desc iris_desc = {
	.name = "iris",
	.pas_id = 9,
	.firmware_name = "qcom/vpu/vpu30_p4.mbn",
	.kind = PAS_SIM_IRIS,
};

static const struct of_device_id pas_sim_of_match[] = {
	{ .compatible = "pilot,sa8775p-adsp-pas-sim", .data = &adsp_desc },
	{ .compatible = "pilot,sa8775p-cdsp-pas-sim", .data = &cdsp_desc },
	{ .compatible = "pilot,sa8775p-iris-sim", .data = &iris_desc },
	{ }
};

static int state_show(struct seq_file *s, void *unused)
{
	struct pas_sim_proc *proc = s->private;

	seq_printf(s, "processor: %s\npas_id: %d\ndma_master: %s\n", proc->desc->name,
		   proc->desc->pas_id, pci_name(proc->pdev));
	seq_printf(s, "carveout: %pa+%#zx\n", &proc->mem_phys, proc->mem_size);
	seq_printf(s, "dsp_state: %s\ndsp_dma_errors: %u\n", pas_sim_dsp_state(proc->dsp),
		   pas_sim_dsp_dma_errors(proc->dsp));
	pas_sim_tz_show(s, proc->desc->pas_id);
	pas_sim_iommu_show(s, &proc->iommu);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(state);

/* "hang": the processor stops answering until it is next reset */
static ssize_t fault_write(struct file *file, const char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	struct pas_sim_proc *proc = file->private_data;
	char buf[16];
	size_t len = min(count, sizeof(buf) - 1);

	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	if (sysfs_streq(buf, "hang"))
		pas_sim_dsp_set_hung(proc->dsp, true);
	else if (sysfs_streq(buf, "none"))
		pas_sim_dsp_set_hung(proc->dsp, false);
	else
		return -EINVAL;

	return count;
}

static const struct file_operations fault_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = fault_write,
	.llseek = noop_llseek,
};

static void pas_sim_debugfs_add(struct pas_sim_proc *proc)
{
	proc->debugfs = debugfs_create_dir(proc->desc->name, pas_sim_debugfs_root);
	debugfs_create_file("state", 0444, proc->debugfs, proc, &state_fops);
	debugfs_create_file("fault", 0200, proc->debugfs, proc, &fault_fops);
}

static int pas_sim_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device_node *np = pdev->dev.of_node;
	const struct of_device_id *match;
	struct pas_sim_proc *proc;
	int ret;

	match = np ? of_match_node(pas_sim_of_match, np) : NULL;
	if (!match) {
		dev_info(&pdev->dev, "no simulated-processor node in the device tree, skipping\n");
		return -ENODEV;
	}

	proc = devm_kzalloc(&pdev->dev, sizeof(*proc), GFP_KERNEL);
	if (!proc)
		return -ENOMEM;
	proc->pdev = pdev;
	proc->dev = &pdev->dev;
	proc->desc = match->data;
	if (of_property_read_string(np, "firmware-name", &proc->firmware_name))
		proc->firmware_name = proc->desc->firmware_name;
	pci_set_drvdata(pdev, proc);

	ret = pas_sim_edu_init(&proc->edu, pdev);
	if (ret)
		return ret;

	ret = pas_sim_carveout_init(proc);
	if (ret)
		return ret;

	ret = pas_sim_iommu_parse(&proc->iommu, pdev, np, proc->desc->kind == PAS_SIM_IRIS);
	if (ret)
		return ret;

	proc->dsp = pas_sim_dsp_create(proc->dev, proc->desc->name, &proc->edu);
	if (IS_ERR(proc->dsp))
		return PTR_ERR(proc->dsp);

	ret = pas_sim_tz_register(proc->desc->pas_id, proc->dsp,
				  proc->mem_phys + pas_sim_load_size(proc));
	if (ret) {
		dev_err(proc->dev, "PAS id %d is already taken\n", proc->desc->pas_id);
		goto destroy_dsp;
	}

	if (proc->desc->kind == PAS_SIM_IRIS)
		ret = pas_sim_iris_probe(proc);
	else
		ret = pas_sim_rproc_probe(proc);
	if (ret)
		goto unregister_tz;

	pas_sim_debugfs_add(proc);
	return 0;

unregister_tz:
	pas_sim_tz_unregister(proc->desc->pas_id);
destroy_dsp:
	pas_sim_dsp_destroy(proc->dsp);
	return ret;
}

static void pas_sim_remove(struct pci_dev *pdev)
{
	struct pas_sim_proc *proc = pci_get_drvdata(pdev);

	debugfs_remove_recursive(proc->debugfs);
	if (proc->desc->kind == PAS_SIM_IRIS)
		pas_sim_iris_remove(proc);
	else
		pas_sim_rproc_remove(proc);
	pas_sim_tz_unregister(proc->desc->pas_id);
	pas_sim_dsp_destroy(proc->dsp);
}

static const struct pci_device_id pas_sim_pci_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },	/* QEMU edu */
	{ }
};
MODULE_DEVICE_TABLE(pci, pas_sim_pci_ids);

static struct pci_driver pas_sim_driver = {
	.name = "qcom-pas-sim",
	.id_table = pas_sim_pci_ids,
	.probe = pas_sim_probe,
	.remove = pas_sim_remove,
};

static int __init pas_sim_init(void)
{
	int ret;

#ifdef PAS_SIM_SKIP_CARVEOUT_MAP
	pr_warn(KBUILD_MODNAME ": test build: the carve-out IOMMU mapping is left out\n");
#endif
	pas_sim_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = pci_register_driver(&pas_sim_driver);
	if (ret)
		debugfs_remove_recursive(pas_sim_debugfs_root);
	return ret;
}
module_init(pas_sim_init);

static void __exit pas_sim_exit(void)
{
	pci_unregister_driver(&pas_sim_driver);
	debugfs_remove_recursive(pas_sim_debugfs_root);
	pas_sim_tz_exit();
}
module_exit(pas_sim_exit);

MODULE_DESCRIPTION("Simulated Qualcomm PAS processors (ADSP, CDSP, Iris) on QEMU edu devices");
MODULE_LICENSE("GPL");
