/* SPDX-License-Identifier: GPL-2.0-only */
/* Linux-side firmware loader, following drivers/soc/qcom/mdt_loader.c. */
#ifndef PAS_SIM_MDT_H
#define PAS_SIM_MDT_H

#include <linux/types.h>

struct device;
struct firmware;

ssize_t pas_sim_mdt_get_size(const struct firmware *fw);
int pas_sim_mdt_pas_init(struct device *dev, const struct firmware *fw,
			 const char *fw_name, int pas_id, phys_addr_t mem_phys);
int pas_sim_mdt_load_no_init(struct device *dev, const struct firmware *fw,
			     const char *fw_name, void *mem_region,
			     phys_addr_t mem_phys, size_t mem_size,
			     phys_addr_t *reloc_base, u64 *entry);

#endif
