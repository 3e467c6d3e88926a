// SPDX-License-Identifier: GPL-2.0-only
/*
 * Iris as a video device, not a remoteproc: a V4L2 decoder node whose first
 * open() loads and boots the firmware through the PAS flow, following
 * drivers/media/platform/qcom/iris (iris_vidc.c, iris_core.c,
 * iris_firmware.c) and printing their messages. The node only answers
 * capability and format queries; there is no codec behind it.
 */
#include <linux/firmware.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/videodev2.h>
#include <media/v4l2-dev.h>
#include <media/v4l2-device.h>
#include <media/v4l2-fh.h>
#include <media/v4l2-ioctl.h>

#include "dsp.h"
#include "mdt.h"
#include "pas_sim.h"
#include "tz.h"

#define IRIS_DECODER_NAME	"qcom-iris-decoder"
/* upstream polls CTRL_STATUS ~100 ms; the edu needs two 100 ms DMAs */
#define IRIS_BOOT_TIMEOUT_MS	2000

struct pas_sim_iris {
	struct pas_sim_proc *proc;
	struct v4l2_device v4l2_dev;
	struct video_device vdev;
	struct mutex lock;	/* serialises core init and ioctls */
	bool booted;
};

static int iris_load_fw_to_memory(struct pas_sim_proc *proc)
{
	const struct firmware *fw;
	ssize_t fw_size;
	int ret;

	ret = request_firmware(&fw, proc->firmware_name, proc->dev);
	if (ret)
		return ret;

	fw_size = pas_sim_mdt_get_size(fw);
	if (fw_size < 0 || pas_sim_load_size(proc) < (size_t)fw_size)
		ret = -EINVAL;
	else
		ret = pas_sim_load(proc, fw, proc->firmware_name);

	release_firmware(fw);
	return ret;
}

static int iris_fw_load(struct pas_sim_proc *proc)
{
	int ret;

	ret = iris_load_fw_to_memory(proc);
	if (ret) {
		dev_err(proc->dev, "firmware download failed\n");
		return -ENOMEM;
	}

	ret = pas_sim_auth_and_reset(proc);
	if (ret) {
		dev_err(proc->dev, "auth and reset failed: %d\n", ret);
		pas_sim_tz_metadata_release(proc->desc->pas_id);
		return ret;
	}

	return 0;
}

static int iris_boot_firmware(struct pas_sim_proc *proc)
{
	if (pas_sim_wait_for_answer(proc, PAS_SIM_MBOX_BOOT, IRIS_BOOT_TIMEOUT_MS)) {
		dev_err(proc->dev, "error booting up iris firmware\n");
		return -ETIME;
	}

	return 0;
}

static int iris_core_init(struct pas_sim_iris *iris)
{
	struct pas_sim_proc *proc = iris->proc;
	int ret;

	if (iris->booted)
		return 0;

	ret = iris_fw_load(proc);
	if (ret)
		return ret;

	ret = iris_boot_firmware(proc);
	if (ret) {
		pas_sim_shutdown(proc);
		return ret;
	}

	iris->booted = true;
	dev_info(proc->dev, "iris firmware booted (simulated core)\n");
	return 0;
}

static int iris_open(struct file *file)
{
	struct pas_sim_iris *iris = video_drvdata(file);
	int ret;

	mutex_lock(&iris->lock);
	ret = iris_core_init(iris);
	mutex_unlock(&iris->lock);
	if (ret) {
		dev_err(iris->proc->dev, "core init failed\n");
		return ret;
	}

	return v4l2_fh_open(file);
}

static int iris_querycap(struct file *file, void *fh, struct v4l2_capability *cap)
{
	strscpy(cap->driver, KBUILD_MODNAME, sizeof(cap->driver));
	strscpy(cap->card, "Iris Decoder (simulated)", sizeof(cap->card));
	return 0;
}

static int iris_enum_fmt_out(struct file *file, void *fh, struct v4l2_fmtdesc *f)
{
	if (f->index)
		return -EINVAL;
	f->pixelformat = V4L2_PIX_FMT_H264;
	f->flags = V4L2_FMT_FLAG_COMPRESSED;
	return 0;
}

static int iris_enum_fmt_cap(struct file *file, void *fh, struct v4l2_fmtdesc *f)
{
	if (f->index)
		return -EINVAL;
	f->pixelformat = V4L2_PIX_FMT_NV12;
	return 0;
}

static const struct v4l2_ioctl_ops iris_ioctl_ops = {
	.vidioc_querycap = iris_querycap,
	.vidioc_enum_fmt_vid_out = iris_enum_fmt_out,
	.vidioc_enum_fmt_vid_cap = iris_enum_fmt_cap,
};

static const struct v4l2_file_operations iris_fops = {
	.owner = THIS_MODULE,
	.open = iris_open,
	.release = v4l2_fh_release,
	.unlocked_ioctl = video_ioctl2,
};

int pas_sim_iris_probe(struct pas_sim_proc *proc)
{
	struct pas_sim_iris *iris;
	struct video_device *vdev;
	int ret;

	iris = devm_kzalloc(proc->dev, sizeof(*iris), GFP_KERNEL);
	if (!iris)
		return -ENOMEM;
	iris->proc = proc;
	mutex_init(&iris->lock);

	ret = v4l2_device_register(proc->dev, &iris->v4l2_dev);
	if (ret)
		return ret;

	vdev = &iris->vdev;
	strscpy(vdev->name, IRIS_DECODER_NAME, sizeof(vdev->name));
	vdev->fops = &iris_fops;
	vdev->ioctl_ops = &iris_ioctl_ops;
	vdev->release = video_device_release_empty;
	vdev->v4l2_dev = &iris->v4l2_dev;
	vdev->lock = &iris->lock;
	vdev->vfl_dir = VFL_DIR_M2M;
	vdev->device_caps = V4L2_CAP_VIDEO_M2M_MPLANE | V4L2_CAP_STREAMING;
	video_set_drvdata(vdev, iris);

	ret = video_register_device(vdev, VFL_TYPE_VIDEO, -1);
	if (ret) {
		v4l2_device_unregister(&iris->v4l2_dev);
		return ret;
	}

	proc->role = iris;
	return 0;
}

void pas_sim_iris_remove(struct pas_sim_proc *proc)
{
	struct pas_sim_iris *iris = proc->role;

	if (!iris)
		return;

	video_unregister_device(&iris->vdev);
	mutex_lock(&iris->lock);
	if (iris->booted) {
		pas_sim_shutdown(proc);
		iris->booted = false;
	}
	mutex_unlock(&iris->lock);
	v4l2_device_unregister(&iris->v4l2_dev);
	proc->role = NULL;
}
