// SPDX-License-Identifier: GPL-2.0-only
/*
 * When the DT gives the processor an IOMMU stream, Linux is the one that must
 * make the carve-out reachable: attach a paging domain to the DMA master and
 * map the carve-out 1:1 before auth-and-reset, and undo it on stop. Without
 * such a stream a hypervisor is assumed to own the mapping and Linux keeps out.
 *
 * Building with -DPAS_SIM_SKIP_CARVEOUT_MAP leaves the mapping out while
 * still attaching the domain: the regression a test suite must catch.
 */
#include <asm/virt.h>
#include <linux/iommu.h>
#include <linux/of.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/version.h>

#include "iommu.h"

static bool fwspec_has_stream(struct iommu_fwspec *fwspec, u32 stream)
{
	unsigned int i;

	for (i = 0; i < fwspec->num_ids; i++)
		if (fwspec->ids[i] == stream)
			return true;
	return false;
}

static int read_stream(struct device *dev, struct device_node *np, bool by_function,
		       struct device_node **smmu, u32 *stream)
{
	struct of_phandle_args args;
	int ret;

	*smmu = NULL;
	if (by_function) {
		ret = of_map_id(np, PAS_SIM_IRIS_FW_FUNCTION, "iommu-map",
				"iommu-map-mask", smmu, stream);
		if (ret == -ENODEV)
			return 0;
		if (ret)
			return ret;
		if (!*smmu)
			dev_warn(dev, "iommu-map has no entry for firmware function %#x\n",
				 PAS_SIM_IRIS_FW_FUNCTION);
		return 0;
	}

	ret = of_parse_phandle_with_args(np, "iommus", "#iommu-cells", 0, &args);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	*smmu = args.np;
	*stream = args.args_count ? args.args[0] : 0;
	return 0;
}

int pas_sim_iommu_parse(struct pas_sim_iommu *iommu, struct pci_dev *pdev,
			struct device_node *np, bool by_function)
{
	const char *prop = by_function ? "iommu-map" : "iommus";
	struct device *dev = &pdev->dev;
	struct iommu_fwspec *fwspec;
	struct device_node *smmu;
	int ret;

	memset(iommu, 0, sizeof(*iommu));
	ret = read_stream(dev, np, by_function, &smmu, &iommu->stream);
	if (ret) {
		dev_err(dev, "cannot parse %s: %d\n", prop, ret);
		return ret;
	}

	if (!smmu) {
		if (is_kernel_in_hyp_mode())
			dev_warn(dev, "Linux runs at EL2 but %pOF has no %s: the carve-out will not be mapped for its DMA master\n",
				 np, prop);
		return 0;
	}

	iommu->managed = true;
	fwspec = dev_iommu_fwspec_get(dev);
	if (!fwspec) {
		/* e.g. an el2 DT on a machine without an SMMU: there is nothing to program */
		dev_warn(dev, "%s names %pOF but the DMA master is not behind an IOMMU: nothing to map\n",
			 prop, smmu);
		iommu->managed = false;
	} else if (fwspec->iommu_fwnode != of_fwnode_handle(smmu) ||
		   !fwspec_has_stream(fwspec, iommu->stream)) {
		/* the mapping would go to another stream; the real master stays unmapped */
		dev_err(dev, "%s stream %#x on %pOF is not this DMA master's stream %#x\n",
			prop, iommu->stream, smmu, fwspec->num_ids ? fwspec->ids[0] : 0);
	} else {
		iommu->stream_matches = true;
	}

	of_node_put(smmu);
	return 0;
}

int pas_sim_iommu_map(struct pas_sim_iommu *iommu, struct pci_dev *pdev,
		      phys_addr_t phys, size_t size)
{
	struct device *dev = &pdev->dev;
	int ret;

	if (!iommu->managed || !iommu->stream_matches || iommu->domain)
		return 0;

	iommu->domain = iommu_domain_alloc(dev->bus);
	if (!iommu->domain)
		return -ENOMEM;

	ret = iommu_attach_device(iommu->domain, dev);
	if (ret) {
		dev_err(dev, "failed to attach a paging domain: %d\n", ret);
		goto free_domain;
	}

	iommu->phys = phys;
	iommu->size = size;
#ifndef PAS_SIM_SKIP_CARVEOUT_MAP
	/* 6.3 gave iommu_map() a gfp argument; 6.1 (the simulation's kernel) and 6.12 (Iris beside the real SoC) both build this. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	ret = iommu_map(iommu->domain, phys, phys, size, IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
#else
	ret = iommu_map(iommu->domain, phys, phys, size, IOMMU_READ | IOMMU_WRITE);
#endif
	if (ret) {
		dev_err(dev, "failed to map carve-out %pa+%#zx: %d\n", &phys, size, ret);
		goto detach;
	}
	iommu->mapped = true;
	dev_info(dev, "carve-out %pa+%#zx mapped 1:1 for stream %#x\n",
		 &phys, size, iommu->stream);
#else
	dev_info(dev, "paging domain attached for stream %#x; carve-out left unmapped (test build)\n",
		 iommu->stream);
#endif
	return 0;

#ifndef PAS_SIM_SKIP_CARVEOUT_MAP
detach:
	iommu_detach_device(iommu->domain, dev);
#endif
free_domain:
	iommu_domain_free(iommu->domain);
	iommu->domain = NULL;
	return ret;
}

void pas_sim_iommu_unmap(struct pas_sim_iommu *iommu, struct pci_dev *pdev)
{
	struct device *dev = &pdev->dev;
	size_t unmapped;

	if (!iommu->domain)
		return;

	if (iommu->mapped) {
		unmapped = iommu_unmap(iommu->domain, iommu->phys, iommu->size);
		if (unmapped != iommu->size)
			dev_err(dev, "unmapped %#zx of %#zx bytes\n", unmapped, iommu->size);
		else
			dev_info(dev, "carve-out %pa+%#zx unmapped\n", &iommu->phys, iommu->size);
		iommu->mapped = false;
	}

	iommu_detach_device(iommu->domain, dev);
	iommu_domain_free(iommu->domain);
	iommu->domain = NULL;
}

void pas_sim_iommu_show(struct seq_file *s, struct pas_sim_iommu *iommu)
{
	seq_printf(s, "iommu_managed: %s\n", iommu->managed ? "yes" : "no");
	if (iommu->managed)
		seq_printf(s, "iommu_stream: %#x%s\n", iommu->stream,
			   iommu->stream_matches ? "" : " (not this DMA master's)");
	seq_printf(s, "iommu_domain: %s\n", iommu->domain ? "attached" : "none");
	seq_printf(s, "carveout_mapped: %s\n", iommu->mapped ? "yes" : "no");
}
