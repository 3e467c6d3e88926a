/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * "TrustZone": the secure-world half of the Peripheral Authentication Service,
 * with the calls qcom_scm exposes to Linux. Linux-side code must reach the
 * secure world only through these functions.
 */
#ifndef PAS_SIM_TZ_H
#define PAS_SIM_TZ_H

#include <linux/types.h>

struct pas_sim_dsp;
struct seq_file;

/* Platform wiring the secure world is configured with, not a Linux call */
int pas_sim_tz_register(int pas_id, struct pas_sim_dsp *dsp, phys_addr_t mbox_phys);
void pas_sim_tz_unregister(int pas_id);

int pas_sim_tz_init_image(int pas_id, const void *metadata, size_t len);
int pas_sim_tz_mem_setup(int pas_id, phys_addr_t addr, size_t size);
int pas_sim_tz_auth_and_reset(int pas_id);
int pas_sim_tz_shutdown(int pas_id);
void pas_sim_tz_metadata_release(int pas_id);

int pas_sim_tz_shm_bridge_create(phys_addr_t addr, size_t size, u64 *handle);
int pas_sim_tz_shm_bridge_delete(u64 handle);

void pas_sim_tz_show(struct seq_file *s, int pas_id);
void pas_sim_tz_exit(void);

#endif
