# pilot's U-Boot script: boot whatever the last deploy left on partition 1 of the first virtio disk.
# Compile with: mkimage -A arm64 -T script -C none -n pilot -d boot.cmd boot.scr
# Files: Image (raw or gzip), initramfs.cpio.gz, optional xen (selects the Xen path), optional pilot.env.
setenv bootargs "console=ttyAMA0 printk.devkmsg=on panic=-1"
setenv xen_bootargs "dom0_mem=512M loglvl=warning guest_loglvl=none"
setenv dom0_bootargs "console=hvc0 printk.devkmsg=on panic=-1"
# pilot.env holds name=value lines (bootargs, dom0_bootargs, xen_bootargs), so a deploy never has to rebuild this script.
if load virtio 0:1 ${scriptaddr} pilot.env; then env import -t ${scriptaddr} ${filesize}; fi
if test -e virtio 0:1 xen; then
  # Xen: dom0 kernel and initramfs become multiboot modules in /chosen (Xen's docs/misc/arm/device-tree/booting.txt).
  # Below 0x49000000 Xen 4.17 hits "Xen BUG at page_alloc.c:1429" freeing the dom0 module; Xen inflates a gzip Image itself.
  setenv dom0_addr 0x49000000
  setenv initrd_addr 0x50000000
  load virtio 0:1 ${kernel_addr_r} xen
  load virtio 0:1 ${dom0_addr} Image
  setenv dom0_size 0x${filesize}
  load virtio 0:1 ${initrd_addr} initramfs.cpio.gz
  setenv initrd_size 0x${filesize}
  fdt addr ${fdt_addr}
  fdt resize 4096
  fdt set /chosen \#address-cells <2>
  fdt set /chosen \#size-cells <2>
  fdt set /chosen xen,xen-bootargs "${xen_bootargs}"
  fdt mknod /chosen module@0
  fdt set /chosen/module@0 compatible "multiboot,kernel" "multiboot,module"
  fdt set /chosen/module@0 reg <0x0 ${dom0_addr} 0x0 ${dom0_size}>
  fdt set /chosen/module@0 bootargs "${dom0_bootargs}"
  fdt mknod /chosen module@1
  fdt set /chosen/module@1 compatible "multiboot,ramdisk" "multiboot,module"
  fdt set /chosen/module@1 reg <0x0 ${initrd_addr} 0x0 ${initrd_size}>
  echo "pilot-uboot: booting Xen, dom0 ${dom0_size} bytes, initramfs ${initrd_size} bytes"
  booti ${kernel_addr_r} - ${fdt_addr}
else
  # booti moves a gzip Image to kernel_comp_addr_r and inflates it back at kernel_addr_r; a raw Image ignores both.
  setenv kernel_comp_addr_r 0x50000000
  load virtio 0:1 ${kernel_addr_r} Image
  setenv kernel_comp_size ${filesize}
  load virtio 0:1 ${ramdisk_addr_r} initramfs.cpio.gz
  echo "pilot-uboot: booting Linux"
  booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdt_addr}
fi
echo pilot-boot-failed
