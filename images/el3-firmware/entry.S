/* Reset vector (all CPUs start here at EL3, from secure flash at 0x0), exception vectors, and
 * the ERET into Linux. */
#include "platform.h"

	.section .text.reset, "ax"
	.global _start
_start:
	mrs	x19, mpidr_el1
	and	x19, x19, #0xff
	cmp	x19, #MAX_CPUS
	b.hs	dead
	/* stack: one EL3_STACK_SIZE block per CPU, below __stacks_top */
	ldr	x0, =__stacks_top
	mov	x1, #EL3_STACK_SIZE
	msub	x0, x19, x1, x0
	mov	sp, x0
	adr	x0, el3_vectors
	msr	vbar_el3, x0
	isb
	cbnz	x19, secondary
	bl	el3_boot_primary	/* x0 = DTB address */
	b	enter_linux
secondary:
	mov	x0, x19
	bl	el3_boot_secondary
	mov	x0, x19
	b	el3_cpu_park

/* el3_cpu_park(cpu): fresh stack, wait for CPU_ON, enter Linux with x0 = context id. */
	.global el3_cpu_park
el3_cpu_park:
	mov	x19, x0
	ldr	x1, =__stacks_top
	mov	x2, #EL3_STACK_SIZE
	msub	x1, x19, x2, x1
	mov	sp, x1
	bl	psci_wait_for_cpu_on	/* sets ELR/SPSR; x0 = context id */
enter_linux:
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	eret

dead:
	wfe
	b	dead

/* Save the lower EL's x0..x30, ELR_EL3 and SPSR_EL3, call \handler(frame), restore, return. */
.macro LOWER_EL_ENTRY handler
	sub	sp, sp, #(34 * 8)
	stp	x0, x1, [sp, #(0 * 8)]
	stp	x2, x3, [sp, #(2 * 8)]
	stp	x4, x5, [sp, #(4 * 8)]
	stp	x6, x7, [sp, #(6 * 8)]
	stp	x8, x9, [sp, #(8 * 8)]
	stp	x10, x11, [sp, #(10 * 8)]
	stp	x12, x13, [sp, #(12 * 8)]
	stp	x14, x15, [sp, #(14 * 8)]
	stp	x16, x17, [sp, #(16 * 8)]
	stp	x18, x19, [sp, #(18 * 8)]
	stp	x20, x21, [sp, #(20 * 8)]
	stp	x22, x23, [sp, #(22 * 8)]
	stp	x24, x25, [sp, #(24 * 8)]
	stp	x26, x27, [sp, #(26 * 8)]
	stp	x28, x29, [sp, #(28 * 8)]
	mrs	x0, elr_el3
	mrs	x1, spsr_el3
	stp	x30, x0, [sp, #(30 * 8)]
	str	x1, [sp, #(32 * 8)]
	mov	x0, sp
	bl	\handler
	b	return_to_lower_el
.endm

return_to_lower_el:
	ldp	x30, x0, [sp, #(30 * 8)]
	ldr	x1, [sp, #(32 * 8)]
	msr	elr_el3, x0
	msr	spsr_el3, x1
	ldp	x0, x1, [sp, #(0 * 8)]
	ldp	x2, x3, [sp, #(2 * 8)]
	ldp	x4, x5, [sp, #(4 * 8)]
	ldp	x6, x7, [sp, #(6 * 8)]
	ldp	x8, x9, [sp, #(8 * 8)]
	ldp	x10, x11, [sp, #(10 * 8)]
	ldp	x12, x13, [sp, #(12 * 8)]
	ldp	x14, x15, [sp, #(14 * 8)]
	ldp	x16, x17, [sp, #(16 * 8)]
	ldp	x18, x19, [sp, #(18 * 8)]
	ldp	x20, x21, [sp, #(20 * 8)]
	ldp	x22, x23, [sp, #(22 * 8)]
	ldp	x24, x25, [sp, #(24 * 8)]
	ldp	x26, x27, [sp, #(26 * 8)]
	ldp	x28, x29, [sp, #(28 * 8)]
	add	sp, sp, #(34 * 8)
	eret

lower_sync:
	LOWER_EL_ENTRY el3_sync_lower
lower_fiq:
	LOWER_EL_ENTRY el3_fiq_lower

current_el_trap:
	mrs	x0, esr_el3
	mrs	x1, elr_el3
	mrs	x2, far_el3
	bl	el3_trap_current
	b	dead

/* VBAR_EL3: 16 entries of 128 bytes. IRQ and SError are not routed to EL3 (SCR_EL3.IRQ/EA = 0). */
	.balign 2048
el3_vectors:
	.balign 128; b current_el_trap		/* current EL, SP_EL0: sync */
	.balign 128; b current_el_trap
	.balign 128; b current_el_trap
	.balign 128; b current_el_trap
	.balign 128; b current_el_trap		/* current EL, SP_ELx */
	.balign 128; b current_el_trap
	.balign 128; b current_el_trap
	.balign 128; b current_el_trap
	.balign 128; b lower_sync		/* lower EL, AArch64: sync (SMC) */
	.balign 128; b current_el_trap		/* IRQ */
	.balign 128; b lower_fiq		/* FIQ: the secure timer tick */
	.balign 128; b current_el_trap		/* SError */
	.balign 128; b current_el_trap		/* lower EL, AArch32 */
	.balign 128; b current_el_trap
	.balign 128; b current_el_trap
	.balign 128; b current_el_trap
