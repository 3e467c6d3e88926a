/* Whole-machine power: QEMU virt's secure PL061 lines drive its power controls. */
#ifndef EL3_POWER_H
#define EL3_POWER_H
void power_off(void) __attribute__((noreturn));
void power_reset(void) __attribute__((noreturn));
#endif
