/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Linux-managed IOMMU path of the PAS flow. Whether Linux maps the
 * carve-out for the processor's DMA master is decided by the device tree
 * (iommus, or iommu-map with a firmware function id), as upstream does.
 */
#ifndef PAS_SIM_IOMMU_H
#define PAS_SIM_IOMMU_H

#include <linux/types.h>

struct device_node;
struct iommu_domain;
struct pci_dev;
struct seq_file;

/* Function id the firmware's stream carries in an Iris node's iommu-map */
#define PAS_SIM_IRIS_FW_FUNCTION	0x1

struct pas_sim_iommu {
	bool managed;		/* the DT asks Linux to map */
	bool stream_matches;	/* the DT's stream is this DMA master's */
	u32 stream;
	struct iommu_domain *domain;
	phys_addr_t phys;
	size_t size;
	bool mapped;
};

int pas_sim_iommu_parse(struct pas_sim_iommu *iommu, struct pci_dev *pdev,
			struct device_node *np, bool by_function);
int pas_sim_iommu_map(struct pas_sim_iommu *iommu, struct pci_dev *pdev,
		      phys_addr_t phys, size_t size);
void pas_sim_iommu_unmap(struct pas_sim_iommu *iommu, struct pci_dev *pdev);
void pas_sim_iommu_show(struct seq_file *s, struct pas_sim_iommu *iommu);

#endif
