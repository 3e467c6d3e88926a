/* The Qualcomm SCM (SiP service) dispatcher: the calls drivers/firmware/qcom/qcom_scm*.c make.
 * Function ID: SMCCC fast/yielding, SMC64/SMC32, owner 2 (SiP), bits 15..8 service, 7..0 command;
 * x1 = arginfo, x2..x5 = arguments; results: x0 = status (0 or a code below), x1..x3 = results. */
#ifndef EL3_SCM_H
#define EL3_SCM_H
#include "el3.h"

/* Status codes in x0, as qcom_scm.h maps them (-EIO, -EINVAL, -EINVAL, -EOPNOTSUPP, -ENOMEM). */
#define QCOM_SCM_ERROR		(-1)
#define QCOM_SCM_EINVAL_ARG	(-2)
#define QCOM_SCM_EINVAL_ADDR	(-3)
#define QCOM_SCM_EOPNOTSUPP	(-4)
#define QCOM_SCM_ENOMEM		(-5)

#define SMCCC_OWNER_SIP		2

void scm_handle(struct el3_frame *f);

#endif
