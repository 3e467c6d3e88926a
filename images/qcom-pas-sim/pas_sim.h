/* SPDX-License-Identifier: GPL-2.0-only */
/* One simulated processor, as the Linux-side drivers see it. */
#ifndef PAS_SIM_H
#define PAS_SIM_H

#include <linux/types.h>

#include "edu.h"
#include "iommu.h"

struct dentry;
struct firmware;
struct pas_sim_dsp;
struct pci_dev;

enum pas_sim_kind {
	PAS_SIM_RPROC,
	PAS_SIM_IRIS,
};

struct pas_sim_desc {
	const char *name;
	int pas_id;
	const char *firmware_name;	/* when the DT names none */
	enum pas_sim_kind kind;
};

struct pas_sim_proc {
	struct pci_dev *pdev;
	struct device *dev;
	const struct pas_sim_desc *desc;
	const char *firmware_name;

	struct pas_sim_edu edu;
	struct pas_sim_iommu iommu;
	struct pas_sim_dsp *dsp;

	/* the carve-out; its last page is the processor's mailbox */
	phys_addr_t mem_phys;
	size_t mem_size;
	void *mem_region;
	phys_addr_t mem_reloc;
	u64 entry;

	struct dentry *debugfs;
	void *role;		/* struct pas_sim_rproc or struct pas_sim_iris */
};

/* pas.c: the Linux side of the PAS sequence, shared by remoteproc and Iris */
int pas_sim_carveout_init(struct pas_sim_proc *proc);
size_t pas_sim_load_size(struct pas_sim_proc *proc);
int pas_sim_load(struct pas_sim_proc *proc, const struct firmware *fw, const char *fw_name);
int pas_sim_auth_and_reset(struct pas_sim_proc *proc);
int pas_sim_wait_for_answer(struct pas_sim_proc *proc, unsigned int slot,
			    unsigned int timeout_ms);
void pas_sim_clear_answer(struct pas_sim_proc *proc, unsigned int slot);
int pas_sim_shutdown(struct pas_sim_proc *proc);
void *pas_sim_da_to_va(struct pas_sim_proc *proc, u64 da, size_t len);

/* rproc.c and iris.c */
int pas_sim_rproc_probe(struct pas_sim_proc *proc);
void pas_sim_rproc_remove(struct pas_sim_proc *proc);
int pas_sim_iris_probe(struct pas_sim_proc *proc);
void pas_sim_iris_remove(struct pas_sim_proc *proc);

/* module parameters, main.c */
extern unsigned int pas_sim_start_timeout_ms;
extern unsigned int pas_sim_stop_timeout_ms;
extern unsigned int pas_sim_heartbeat_ms;

#endif
