/* SPDX-License-Identifier: GPL-2.0-only */
/* Program-header view of an ELF32 or ELF64 firmware image. */
#ifndef PAS_SIM_ELF_H
#define PAS_SIM_ELF_H

#include <linux/types.h>

struct pas_sim_phdr {
	u32 type;
	u32 flags;
	u64 offset;
	u64 paddr;
	u64 filesz;
	u64 memsz;
};

struct pas_sim_elf {
	bool is64;
	u64 entry;
	unsigned int phnum;
	struct pas_sim_phdr *phdrs;
};

int pas_sim_elf_parse(const u8 *data, size_t len, struct pas_sim_elf *elf);
void pas_sim_elf_free(struct pas_sim_elf *elf);

bool pas_sim_phdr_loadable(const struct pas_sim_phdr *phdr);
int pas_sim_elf_hash_segment(const struct pas_sim_elf *elf);
int pas_sim_elf_extent(const struct pas_sim_elf *elf, u64 *min_addr,
		       u64 *max_addr, bool *relocatable);

#endif
